import { toCappedText } from "../protocol/capped-text.js";
import type { Catalog } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import { describeViolations } from "../schemas/violations.js";
import { signCallback } from "../signing/callback-sign.js";
import { isSameHexIgnoringCase, isSameSecretValue } from "../signing/digest.js";
import type { CallbackMessage } from "./callback-message.js";
import { checkCallbackMessage } from "./callback-message.js";
import { describeThrown } from "./describe-thrown.js";
import { parsePushTimestamp } from "./parse-push-timestamp.js";

/**
 * How old a push may be. The platform retries a failed push after 30 minutes, at most 5 times,
 * so a genuine retry can arrive 150 minutes after the first attempt (if its `timestamp` is the
 * original push time, which the docs do not say). Three hours leaves 30 minutes for clock skew
 * and delivery; rejecting a genuine retry loses the message for good.
 */
export const DEFAULT_MAX_PUSH_AGE_MS = 3 * 60 * 60 * 1000;
/** How far in the future a push timestamp may be (clock skew), like the API's own 600 s window. */
export const DEFAULT_MAX_PUSH_AHEAD_MS = 10 * 60 * 1000;

export type CallbackProblem = "missing-authorization" | "bad-signature" | "malformed-json" | "invalid-message" | "stale";

export type CallbackVerification =
  | { ok: true; message: CallbackMessage }
  | { ok: false; status: 400 | 401; code: CallbackProblem; reason: string; violations?: Violation[] };

export interface VerifyCallbackInput {
  /** The body bytes exactly as received (not re-serialised JSON). */
  rawBody: Buffer | string;
  /** The `Authorization` header: hex HMAC-SHA256 of the raw body keyed by the AccessSecret. */
  authorization: string | undefined;
  secret: string;
  /** Epoch ms; defaults to the system clock. */
  now?: number;
  /** Oldest accepted push, in ms (default 3 h; `Infinity` turns the age check off). */
  maxAgeMs?: number;
  maxAheadMs?: number;
  /** The hex case to accept; the docs do not say, so `either` by default. */
  hexCase?: "upper" | "lower" | "either";
  /** Where per-messageType schemas are found; defaults to the shared catalog. */
  catalog?: Pick<Catalog, "find">;
  /** JSON parser, e.g. a lossless one for 19-digit ids; defaults to `JSON.parse`. */
  parseJson?: (text: string) => unknown;
}

function fail(status: 400 | 401, code: CallbackProblem, reason: string, violations?: Violation[]): CallbackVerification {
  return violations ? { ok: false, status, code, reason, violations } : { ok: false, status, code, reason };
}

function isSignedBy(input: VerifyCallbackInput, authorization: string): boolean {
  const hexCase = input.hexCase ?? "either";
  if (hexCase === "either") return isSameHexIgnoringCase(authorization, signCallback(input.rawBody, input.secret, "upper"));
  return isSameSecretValue(authorization, signCallback(input.rawBody, input.secret, hexCase));
}

function checkAge(timestamp: string | number, input: VerifyCallbackInput): CallbackVerification | undefined {
  const maxAgeMs = input.maxAgeMs ?? DEFAULT_MAX_PUSH_AGE_MS;
  if (maxAgeMs === Infinity) return undefined;
  const at = parsePushTimestamp(timestamp);
  // The reason repeats at most ECHO_LIMIT characters of the push's timestamp.
  const shown = toCappedText(JSON.stringify(timestamp));
  if (at === undefined) {
    return fail(400, "invalid-message", `timestamp ${shown} is neither epoch milliseconds nor "yyyy-MM-dd HH:mm:ss" (GMT+8)`);
  }
  const now = input.now ?? Date.now();
  const age = now - at;
  if (age > maxAgeMs) {
    return fail(401, "stale", `the push timestamp ${shown} is ${Math.round(age / 60_000)} min old; pushes older than ${Math.round(maxAgeMs / 60_000)} min are refused`);
  }
  if (-age > (input.maxAheadMs ?? DEFAULT_MAX_PUSH_AHEAD_MS)) {
    return fail(401, "stale", `the push timestamp ${shown} is ${Math.round(-age / 1000)} s ahead of this server's clock`);
  }
  return undefined;
}

/**
 * Verifies one pushed message: Authorization present and matching the raw body, JSON, the generic
 * message shape, its age (when it has a timestamp), then the schema of its messageType when the
 * catalog has one. Outcomes are data; the status is what to answer the platform.
 */
export function verifyCallback(input: VerifyCallbackInput): CallbackVerification {
  const authorization = input.authorization?.trim();
  if (!authorization) return fail(401, "missing-authorization", "the Authorization header is missing");
  if (!isSignedBy(input, authorization)) {
    return fail(401, "bad-signature", "the Authorization header is not the HMAC-SHA256 of the body with this AccessSecret");
  }
  let parsed: unknown;
  try {
    parsed = (input.parseJson ?? JSON.parse)(typeof input.rawBody === "string" ? input.rawBody : input.rawBody.toString("utf8"));
  } catch (error) {
    return fail(400, "malformed-json", `the body is not JSON: ${toCappedText(error instanceof Error ? error.message : describeThrown(error))}`);
  }
  const problems = checkCallbackMessage(parsed);
  if (problems.length > 0) return fail(400, "invalid-message", `the message is not a callback message: ${problems.join("; ")}`);
  const message = parsed as CallbackMessage;
  if (message.timestamp !== undefined && message.timestamp !== null) {
    const stale = checkAge(message.timestamp, input);
    if (stale) return stale;
  }
  const operation = (input.catalog ?? getCatalog()).find(message.messageType);
  if (operation && operation.meta.api === "callback") {
    const violations = operation.checkResponse(message).filter((v) => v.severity === "error");
    if (violations.length > 0) {
      return fail(400, "invalid-message", `the ${message.messageType} message breaks its schema: ${describeViolations(violations)}`, violations);
    }
  }
  return { ok: true, message };
}
