import type { ClientRequest } from "node:http";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
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

/** Keep-alive connections to receivers, one pool per protocol: a push reuses its receiver's connection (fetch cost ~3× the CPU per push). */
const AGENTS = { "http:": new HttpAgent({ keepAlive: true, maxSockets: 64 }), "https:": new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };

/**
 * POSTs one message text, signed (`Authorization` = hex HMAC-SHA256 of the raw body with the
 * tenant's AccessSecret), and waits at most ACK_TIMEOUT_MS for the whole answer: acknowledged only
 * by HTTP 200 in time (redirects are not followed). Never throws; the secret is never part of the result.
 */
export function sendPush(url: string, body: string, secret: string, timeoutMs = ACK_TIMEOUT_MS): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    return Promise.resolve({ acknowledged: false, latencyMs: latency(), error: describeFailure(error, false) });
  }
  const payload = Buffer.from(body, "utf8");
  const headers = { "content-type": "application/json", "content-length": payload.length, authorization: signCallback(body, secret) };
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    let request: ClientRequest | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      request?.destroy(new Error("timeout"));
    }, timeoutMs);
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (error: unknown) => settle({ acknowledged: false, latencyMs: latency(), error: describeFailure(error, timedOut) });
    const attempt = (retried: boolean) => {
      const sent = (target.protocol === "https:" ? httpsRequest : httpRequest)(target, { method: "POST", agent: target.protocol === "https:" ? AGENTS["https:"] : AGENTS["http:"], headers });
      request = sent;
      sent.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the receiver closed meanwhile: sent again once on a new one (Node's advice for reused sockets).
        if (!retried && !timedOut && sent.reusedSocket && error.code === "ECONNRESET") attempt(true);
        else fail(error);
      });
      sent.on("response", (response) => {
        // The answer counts once it has arrived whole.
        response.resume();
        response.on("error", fail);
        response.on("close", () => {
          if (!response.complete) fail(Object.assign(new Error("the receiver closed the connection mid-answer"), { code: "ECONNRESET" }));
        });
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          settle(status === 200 ? { acknowledged: true, status: 200, latencyMs: latency() } : { acknowledged: false, status, latencyMs: latency(), error: `HTTP ${status}, not 200` });
        });
      });
      sent.end(payload);
    };
    attempt(false);
  });
}
