/** Why a call could not produce an answer (HTTP and API errors are answers, not ClientErrors). */
export type ClientErrorCode = "network" | "timeout" | "bad-request";

/** A call that got no answer: the network failed, it timed out, or the request could not be built. */
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
