import type { ApiError } from "../checks/find-api-error.js";
import type { Violation } from "../schemas/violations.js";

/** A request as sent (the secret is never part of it; the signature is). */
export interface SentRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The outcome of one call: the HTTP answer, its parsed document and what the contract says of it. */
export interface CallResult<Response = unknown> {
  operation: string;
  status: number;
  headers: Record<string, string>;
  /**
   * The whole response document (envelope included), parsed losslessly (TOP XML converted by the
   * schema): integers beyond ±(2^53−1) are strings of their exact digits (or bigint with
   * `bigIntegers: "bigint"`); every other number is a number.
   */
  envelope: Response;
  /** PandaPon `envelope.data`; TOP `envelope.<method>_response`; undefined for an error document. */
  data: unknown;
  rawBody: string;
  /** Contract violations of the answer (failures and warnings); see `checkResponse`. */
  violations: Violation[];
  /** The API's error, when it answered with its error envelope. */
  apiError?: ApiError;
  request: SentRequest;
  attempts: number;
  durationMs: number;
}

/** Request and response types by operation name, e.g. generated `OperationTypes`. */
export type OperationTypeMap = object;

/** The shape used when no types are given: any operation name, any payload. */
export type UntypedOperations = Record<string, { request: Record<string, unknown> | undefined; response: unknown }>;

export type RequestOf<Types, Name extends keyof Types> = Types[Name] extends { request: infer R } ? R : unknown;
export type ResponseOf<Types, Name extends keyof Types> = Types[Name] extends { response: infer R } ? R : unknown;

/** Options shared by both clients: transport, clock and retries. */
export interface TransportOptions {
  /** Per attempt, including reading the body. Default 10 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after a network error or timeout (never after an HTTP or API error). Default 2. */
  retries?: number;
  /** Wait before retry n (1-based): `retryDelayMs * n`. Default 250 ms. */
  retryDelayMs?: number;
  /** Defaults to the global fetch (undici). */
  fetch?: typeof fetch;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** `string` (default) or `bigint` for integers beyond ±(2^53−1) in `envelope`. */
  bigIntegers?: "string" | "bigint";
  /** Largest answer body read, in bytes; a larger one rejects the call with a ClientError `too-large` (not retried). Default 64 MiB. */
  maxResponseBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A signing client of either API: one signed call per operation, typed by an OperationTypes map. */
export interface OperationClient<Types extends OperationTypeMap = UntypedOperations> {
  /** Signs and sends one call; resolves with the answer (HTTP and API errors included), rejects with a ClientError when there is none. */
  call<Name extends keyof Types & string>(
    operation: Name,
    payload?: RequestOf<Types, Name>,
    options?: CallOptions,
  ): Promise<CallResult<ResponseOf<Types, Name>>>;
}
