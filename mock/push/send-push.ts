import { signCallback } from "../../signing/callback-sign.js";
import { ACK_TIMEOUT_MS } from "./push-schedule.js";

/** One POST of a message: the answer's status if one came in time, how long it took, and why it failed. */
export interface SendResult {
  acknowledged: boolean;
  status?: number;
  latencyMs: number;
  error?: string;
}

/** A URL as shown in logs and the admin API: without a user or password. */
export function toShownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = "***";
      parsed.password = "";
    }
    return parsed.href;
  } catch {
    return url;
  }
}

/** A callback URL the mock can POST to (absolute http or https), or the reason it is not. */
export function checkCallbackUrl(url: unknown): string | undefined {
  if (typeof url !== "string" || url.length === 0) return "a callback URL must be a non-empty string";
  if (url.length > 2000) return "a callback URL is at most 2000 characters";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url.slice(0, 80))} is not an absolute URL`;
  }
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? undefined : `${JSON.stringify(url.slice(0, 80))} is not an http or https URL`;
}

function describeFailure(error: unknown, timedOut: boolean): string {
  if (timedOut) return `no HTTP 200 within ${ACK_TIMEOUT_MS} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection reset";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  return `${code ? `${code}: ` : ""}${cause?.message ?? (error as Error).message ?? String(error)}`.slice(0, 300);
}

/**
 * POSTs one message text, signed (`Authorization` = hex HMAC-SHA256 of the raw body with the
 * tenant's AccessSecret), and waits at most ACK_TIMEOUT_MS for the whole answer: acknowledged only
 * by HTTP 200 in time. Never throws; the secret is never part of the result.
 */
export async function sendPush(url: string, body: string, secret: string, timeoutMs = ACK_TIMEOUT_MS): Promise<SendResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: signCallback(body, secret) },
      body,
      signal: controller.signal,
      redirect: "manual",
    });
    // The answer counts once it has arrived whole (its body read).
    await response.arrayBuffer();
    const latencyMs = latency();
    if (response.status === 200) return { acknowledged: true, status: 200, latencyMs };
    return { acknowledged: false, status: response.status, latencyMs, error: `HTTP ${response.status}, not 200` };
  } catch (error) {
    return { acknowledged: false, latencyMs: latency(), error: describeFailure(error, timedOut) };
  } finally {
    clearTimeout(timer);
  }
}
