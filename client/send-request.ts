import type { SentRequest, TransportOptions } from "./call-result.js";
import { ClientError } from "./client-error.js";
import { DEFAULT_MAX_RESPONSE_BYTES, readCappedText } from "./read-capped-text.js";

export interface HttpAnswer {
  request: SentRequest;
  status: number;
  headers: Record<string, string>;
  body: string;
  attempts: number;
  durationMs: number;
}

/** Only the transport settings of a client's options (never its credentials). */
export function toTransportOptions(options: TransportOptions): TransportOptions {
  const { timeoutMs, retries, retryDelayMs, fetch, maxResponseBytes } = options;
  return { timeoutMs, retries, retryDelayMs, fetch, maxResponseBytes };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}

function toReason(error: unknown): string {
  if (isTimeout(error)) return "timed out";
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.message ?? (error as Error)?.message ?? String(error);
}

/**
 * Sends a request built afresh for every attempt (so each carries a fresh timestamp, nonce and
 * signature), retrying network errors and timeouts only, with a bounded count. HTTP errors are
 * answers: returned, never retried. A caller's abort is not retried either, nor an answer larger
 * than `maxResponseBytes` (a ClientError `too-large`).
 */
export async function sendRequest(
  build: () => SentRequest,
  options: TransportOptions & { signal?: AbortSignal } = {},
): Promise<HttpAnswer> {
  const send = options.fetch ?? globalThis.fetch;
  const retries = Math.max(0, options.retries ?? 2);
  const delay = options.retryDelayMs ?? 250;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const started = performance.now();
  let lastError: unknown;
  let request = build();
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) {
      await new Promise((resolve) => setTimeout(resolve, delay * (attempt - 1)));
      request = build();
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const init: RequestInit = { method: request.method, headers: request.headers, signal, redirect: "manual" };
      if (request.body !== undefined) init.body = request.body;
      const response = await send(request.url, init);
      const body = await readCappedText(response, maxBytes);
      if (body === undefined) {
        throw new ClientError("too-large", `Failed to call "${request.method} ${request.url}": the answer (${response.status}) is larger than ${maxBytes} bytes (maxResponseBytes); it was not read.`, { url: request.url, attempts: attempt });
      }
      return {
        request,
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body,
        attempts: attempt,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (options.signal?.aborted || error instanceof ClientError) throw error;
      lastError = error;
    }
  }
  const code = isTimeout(lastError) ? "timeout" : "network";
  throw new ClientError(
    code,
    `Failed to call "${request.method} ${request.url}": ${toReason(lastError)}` +
      `${code === "timeout" ? ` after ${options.timeoutMs ?? 10_000} ms` : ""} (${retries + 1} attempt${retries === 0 ? "" : "s"}).`,
    { url: request.url, attempts: retries + 1 },
    { cause: lastError },
  );
}
