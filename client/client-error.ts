/**
 * Why a call could not produce an answer (HTTP and API errors are answers, not ClientErrors):
 * `too-large` an answer whose body is larger than `maxResponseBytes` (not read, not retried).
 */
export type ClientErrorCode = "network" | "timeout" | "bad-request" | "too-large";

/** A call that got no answer: the network failed, it timed out, the answer was too large, or the request could not be built. */
export class ClientError extends Error {
  override readonly name = "ClientError";

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly context: { url?: string; attempts?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
