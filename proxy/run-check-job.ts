import type { IncomingHttpHeaders } from "node:http";
import type { Catalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import type { MockRequest } from "../mock/exchange.js";
import { identifyRequest } from "../mock/replay/identify-request.js";
import { toSecretMask } from "../checks/mask-secrets.js";
import type { OperationResult } from "../verify/run-contracts.js";
import type { ExchangeAnswer } from "./check-exchange.js";
import { checkExchange } from "./check-exchange.js";
import type { RecordedExchange } from "./create-recorder.js";
import { toRecordedExchange } from "./create-recorder.js";
import { decodeBody } from "./decode-body.js";
import type { ForwardOutcome } from "./forward-exchange.js";
import { toRequestSecrets } from "./to-request-secrets.js";

/**
 * One forwarded exchange as its check needs it, plain data (it crosses to a worker thread by
 * postMessage): the request as sent, the answer's status and how it is encoded, and both bodies in
 * one buffer of its own, transferred to the worker rather than copied.
 */
export interface CheckJob {
  /** The exchange's number in the proxy (1 for the first). */
  sequence: number;
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  isTop: boolean;
  durationMs: number;
  answer: { ok: true; status: number; contentType: string; contentEncoding: string | undefined } | { ok: false; kind: string; reason: string };
  /** The request's body, then the answer's, as they came (encoded). */
  bodies: Uint8Array<ArrayBuffer>;
  requestBytes: number;
  /** Whether the reply should carry the exchange as a recording (answers the API gave only, not upstream failures). */
  record: boolean;
}

/** What one exchange's check came to: checked (with its recording, when asked), not an operation of the catalog, or not checked (the check itself failed, or never ran). */
export type CheckReply =
  | { sequence: number; kind: "checked"; result: OperationResult; violations: Violation[]; recorded?: RecordedExchange }
  | { sequence: number; kind: "unknown"; operation: string }
  | { sequence: number; kind: "unchecked"; reason: string };

/** The check of a forwarded exchange: its bodies copied once into a buffer of their own (a body read from a socket may share its memory with others: it cannot be transferred). */
export function toCheckJob(sequence: number, sent: { method: string; path: string; query: string; headers: IncomingHttpHeaders; isTop: boolean }, outcome: ForwardOutcome, durationMs: number, record: boolean): CheckJob {
  const answerBody = outcome.ok ? outcome.answerBody : undefined;
  const bodies = new Uint8Array(outcome.requestBody.length + (answerBody?.length ?? 0));
  bodies.set(outcome.requestBody, 0);
  if (answerBody) bodies.set(answerBody, outcome.requestBody.length);
  const answer: CheckJob["answer"] = outcome.ok
    ? { ok: true, status: outcome.status, contentType: String(outcome.headers["content-type"] ?? ""), contentEncoding: outcome.headers["content-encoding"] }
    : { ok: false, kind: outcome.kind, reason: outcome.reason };
  return { sequence, ...sent, durationMs, answer, bodies, requestBytes: outcome.requestBody.length, record };
}

/**
 * Checks one exchange (on a worker thread, or on the proxy's where no worker runs): identifies its
 * operation, checks request and answer against the contract (check-exchange.ts), masks the
 * request's credentials in every message, and, when asked, makes its recording. Never throws: a
 * fault of the check is a reply that says so.
 */
export function runCheckJob(catalog: Catalog, job: CheckJob): CheckReply {
  let secrets: string[] = [];
  try {
    const bodies = Buffer.from(job.bodies.buffer, job.bodies.byteOffset, job.bodies.byteLength);
    const rawBody = decodeBody(bodies.subarray(0, job.requestBytes), job.headers["content-encoding"]) ?? Buffer.alloc(0);
    const request: MockRequest = { method: job.method, path: job.path, query: job.query, headers: job.headers as Record<string, string | undefined>, rawBody };
    secrets = toRequestSecrets(job.headers, job.query, rawBody, job.headers["content-type"]);
    const identified = identifyRequest(catalog, request);
    if (!identified) return { sequence: job.sequence, kind: "unknown", operation: toSecretMask(secrets)(`${job.method} ${job.path}`) };
    const answerBody = job.answer.ok ? decodeBody(bodies.subarray(job.requestBytes), job.answer.contentEncoding) : undefined;
    const answer: ExchangeAnswer = job.answer.ok ? { ok: true, status: job.answer.status, body: answerBody } : job.answer;
    const { result, violations } = checkExchange(catalog, identified, answer, job.durationMs, secrets);
    // Answers the API gave are recorded; failures of the upstream (no answer, 5xx) are not: replaying them would replay an outage.
    if (!job.record || !job.answer.ok || job.answer.status >= 500 || !answerBody) return { sequence: job.sequence, kind: "checked", result, violations };
    const recorded = toRecordedExchange(identified, job.method, job.path, { status: job.answer.status, contentType: job.answer.contentType, body: answerBody }, secrets);
    return { sequence: job.sequence, kind: "checked", result, violations, recorded };
  } catch (error) {
    return { sequence: job.sequence, kind: "unchecked", reason: `its check failed: ${toSecretMask(secrets)((error as Error).message)}` };
  }
}
