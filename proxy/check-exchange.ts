import type { Catalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import { checkRequest } from "../checks/check-request.js";
import { describeApiError } from "../checks/find-api-error.js";
import type { ResponseReading } from "../checks/read-response.js";
import { readResponse } from "../checks/read-response.js";
import type { IdentifiedRequest } from "../mock/replay/identify-request.js";
import { toMaskedApiError, toSecretMask } from "../checks/mask-secrets.js";
import type { OperationResult } from "../verify/run-contracts.js";
import { splitAssumed } from "../verify/split-assumed.js";

/** What one exchange through the proxy came to, for the checks: the answer (decoded), or why there was none. */
export type ExchangeAnswer = { ok: true; status: number; body: Buffer | undefined } | { ok: false; kind: string; reason: string };

export interface CheckedExchange {
  result: OperationResult;
  /** Every violation, request side first (for the journal). */
  violations: Violation[];
}

function toEndpoint(identified: IdentifiedRequest): string {
  const { meta } = identified.operation;
  return meta.api === "pandapon" ? `${meta.method ?? "POST"} ${meta.path ?? meta.name}` : meta.name;
}

/** The request as checkRequest reads it: the parsed payload, or the body's text when it was not JSON (a parse failure to report). */
function toCheckedPayload(identified: IdentifiedRequest): unknown {
  const business = identified.business as Record<string, unknown>;
  return typeof business["(body)"] === "string" ? business["(body)"] : business;
}

/**
 * An HTTP status the contract has no answer with: an error (4xx, 5xx) without the API's envelope;
 * below 400, any status but 200 — a redirect, a 201, a 204 — whatever the body holds (a client that
 * follows a redirect, or takes a 2xx for what it is, does not read it as the API's answer).
 */
function toHttpStatusViolations(status: number, isApiError: boolean): Violation[] {
  if (status >= 400) return isApiError ? [] : [{ path: "", rule: "http-status", severity: "error", message: `HTTP ${status} without the API's error envelope` }];
  if (status === 200) return [];
  return [{ path: "", rule: "http-status", severity: "error", message: `HTTP ${status}: the API answers with 200 (an error of its own with 200 or 4xx/5xx and its envelope)` }];
}

/**
 * A TOP answer in another format than the request asked for (`format=json`, else XML): read as
 * its own format it may fit the schema, but the client parses the format it asked for. PandaPon
 * answers are JSON, read as JSON only (XML does not parse).
 */
function toFormatViolations(identified: IdentifiedRequest, reading: ResponseReading | undefined): Violation[] {
  if (identified.api !== "top" || !reading || reading.document === undefined || reading.format === identified.format) return [];
  const name = (format: string) => (format === "json" ? "JSON" : "XML");
  const asked = identified.format === "json" ? "format=json" : "XML (no format, or format=xml)";
  return [{ path: "", rule: "format", severity: "error", message: `is ${name(reading.format)}, but the request asked for ${asked}` }];
}

/**
 * Checks one exchange of a known operation against its contract, losslessly: the request's
 * business payload (checkRequest) and the answer's body (readResponse: success or the API's error
 * envelope, checked against the error schema; an error is traffic, not a failure; drift and
 * precision warnings). An upstream failure (no answer, or HTTP 5xx) is an
 * `error` outcome, not a contract failure; an answer the contract does not allow is `failed`.
 * Every message has the request's credentials masked, however it repeats them (toSecretMask: in any
 * letter case, JSON-escaped, URL-encoded).
 */
export function checkExchange(catalog: Catalog, identified: IdentifiedRequest, answer: ExchangeAnswer, durationMs: number, secrets: readonly string[]): CheckedExchange {
  const base = { operation: identified.operation.meta.name, api: identified.operation.meta.api, endpoint: toEndpoint(identified), durationMs };
  const maskText = toSecretMask(secrets);
  const mask = (list: Violation[]) => list.map((v) => ({ ...v, message: maskText(v.message) }));
  const requestViolations = mask(checkRequest(identified.operation, toCheckedPayload(identified), { catalog }));
  if (!answer.ok) {
    const result: OperationResult = { ...base, outcome: "error", reason: `no answer from the upstream (${answer.kind}): ${maskText(answer.reason)}`, requestViolations, responseViolations: [], warnings: 0 };
    return { result, violations: requestViolations };
  }
  const reading = answer.body === undefined ? undefined : readResponse(identified.operation, answer.body.toString("utf8"), { catalog, plainWhenExact: true });
  const read: Violation[] = reading?.violations ?? [{ path: "", rule: "parse", severity: "error", message: "the answer's Content-Encoding could not be decoded" }];
  const httpStatus = toHttpStatusViolations(answer.status, reading?.apiError !== undefined);
  const format = toFormatViolations(identified, reading);
  // An error envelope of the API is traffic, not a broken contract: its shape is checked (against the error schema), its being an error is not.
  const { judged, assumed } = splitAssumed(identified.operation, [...httpStatus, ...format, ...read.filter((v) => v.rule !== "api-error")]);
  const responseViolations = mask(judged);
  const all = [...requestViolations, ...responseViolations];
  const failures = all.filter((v) => v.severity === "error");
  const upstreamFault = answer.status >= 500;
  const result: OperationResult = {
    ...base,
    outcome: upstreamFault ? "error" : failures.length > 0 ? "failed" : assumed.length > 0 ? "assumed" : "passed",
    status: answer.status,
    requestViolations,
    responseViolations,
    warnings: all.filter((v) => v.severity === "warning").length,
  };
  if (reading?.apiError) result.apiError = toMaskedApiError(reading.apiError, maskText);
  if (upstreamFault) result.reason = `the upstream answered HTTP ${answer.status}${reading?.apiError ? ` with error ${describeApiError(result.apiError!)}` : ""}`;
  else if (failures.length === 0 && result.apiError) result.reason = `the API answered with error ${describeApiError(result.apiError)} (its error shape checked)`;
  else if (failures[0]) {
    const first = failures[0];
    const where = `${requestViolations.includes(first) ? "request " : ""}${first.path || "(root)"} ${first.message}`;
    result.reason = failures.length === 1 ? `1 failure: ${where}` : `${failures.length} failures, first: ${where}`;
  }
  if (identified.operation.assumed) result.assumed = { reason: identified.operation.assumed, differences: mask(assumed) };
  return { result, violations: [...all, ...mask(assumed)] };
}
