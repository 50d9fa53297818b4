import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import { toForwardedHeaders, toForwardedRequestHeaders } from "./to-forwarded-headers.js";

/** Where requests go: the upstream's origin and base path, with a keep-alive agent of its own. */
export interface Upstream {
  url: URL;
  agent: HttpAgent;
}

export function createUpstream(target: string): Upstream {
  const url = new URL(target);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`Failed to use "${url.origin}" as an upstream: only http and https are proxied.`);
  const options = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64 };
  return { url, agent: url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options) };
}

/** Bytes of one body the proxy keeps a copy of for the checks; a longer body is forwarded whole, its exchange left unchecked. */
export const MAX_CHECKED_BODY_BYTES = 8 * 2 ** 20;

export type ForwardOutcome =
  /** `tooLarge`: a body was longer than MAX_CHECKED_BODY_BYTES; its copy was not kept (forwarded, not checked). */
  | { ok: true; status: number; headers: IncomingMessage["headers"]; requestBody: Buffer; answerBody: Buffer; tooLarge: boolean }
  /** No complete answer: `unreachable` (refused, unknown host, reset before an answer), `timeout`, or `broken` (cut off mid-answer: the client's connection was ended). */
  | { ok: false; kind: "unreachable" | "timeout" | "broken"; reason: string; requestBody: Buffer };

/**
 * Sends the request to the upstream as it came — method, path and query, headers (hop-by-hop ones
 * aside, Host the upstream's), body streamed — and streams the answer back as it comes (status,
 * headers but hop-by-hop ones, body), keeping a copy of both bodies for the checks. When no answer
 * comes, nothing is written: the caller answers (see answer-upstream-failure.ts).
 */
export function forwardExchange(req: IncomingMessage, res: ServerResponse, upstream: Upstream, path: string, timeoutMs: number): Promise<ForwardOutcome> {
  return new Promise((resolve) => {
    const sent = createCopy();
    const received = createCopy();
    const requestBody = () => sent.read();
    let settled = false;
    const settle = (outcome: ForwardOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const { url, agent } = upstream;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = send({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || undefined,
      method: req.method,
      path,
      headers: toForwardedRequestHeaders(req.rawHeaders, url.host),
      agent,
      setHost: false,
    });
    // Headers and body go out as they come, not held back for the upstream's acknowledgement of the
    // headers' packet (Nagle's algorithm against a delayed ACK: ~20 ms added to every exchange).
    outgoing.setNoDelay(true);
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "PROXY_TIMEOUT" })));
    /** The upstream's answer, once its head came. */
    let answered: IncomingMessage | undefined;
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      // Bytes after a whole answer (beyond its Content-Length, after its last chunk) fail the connection, not the
      // answer: it is passed on whole, and its end settles the exchange.
      if (answered?.complete) return;
      const kind = error.code === "PROXY_TIMEOUT" ? "timeout" : res.headersSent ? "broken" : "unreachable";
      if (kind === "broken") cutOff(res);
      settle({ ok: false, kind, reason: `${error.code ?? "error"}: ${error.message}`, requestBody: requestBody() });
    });
    /** An answer that cannot be passed on as it came is no answer (a 502, as one that does not parse): nothing of it is written. */
    const refuse = (reason: string) => {
      settle({ ok: false, kind: "unreachable", reason, requestBody: requestBody() });
      outgoing.destroy();
    };
    outgoing.on("response", (answer) => {
      answered = answer;
      // Node's client reads any three digits as a status; its server writes 100–999 only.
      const status = answer.statusCode ?? 0;
      if (status < 100) return refuse(`the upstream answered status ${status}, which is no HTTP status`);
      try {
        res.writeHead(status, toWritableReason(answer.statusMessage), toForwardedHeaders(answer.rawHeaders));
      } catch (error) {
        return refuse(`the upstream's answer could not be passed on (${(error as Error).message})`);
      }
      answer.on("data", received.keep);
      answer.pipe(res);
      answer.on("end", () => settle({ ok: true, status, headers: answer.headers, requestBody: requestBody(), answerBody: received.read(), tooLarge: sent.tooLarge || received.tooLarge }));
      answer.on("aborted", () => {
        cutOff(res);
        settle({ ok: false, kind: "broken", reason: "the upstream closed the connection mid-answer", requestBody: requestBody() });
      });
    });
    // The proxy never asks for another protocol (Upgrade is not forwarded): a 101 is no answer to pass on.
    outgoing.on("upgrade", (_answer, socket: Duplex) => {
      socket.destroy();
      refuse("the upstream answered 101 Switching Protocols, which the proxy does not forward");
    });
    // The client went away before its answer was complete: the upstream request is abandoned too.
    res.on("close", () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.on("data", sent.keep);
    req.pipe(outgoing);
  });
}

/**
 * The client's answer cut off where the upstream's was: its head and what came of its body still go
 * out (Node sends the head with the first piece of the body, and holds the writes of one turn of the
 * event loop back until the next: destroyed at once, the client got nothing at all), then the
 * connection ends — the client sees the answer fall short of its length or its last chunk, as it would
 * have from the API.
 */
function cutOff(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return void res.destroy();
  res.flushHeaders();
  socket.end(() => socket.destroy());
}

/** A reason phrase as the upstream sent it, or none (Node's for the status) when it holds a character Node will not write (a control character): an answer is never refused for its reason phrase. */
function toWritableReason(reason: string | undefined): string | undefined {
  return reason !== undefined && /^[\t\x20-\x7e\x80-\xff]*$/.test(reason) ? reason : undefined;
}

/** A copy of a body as it streams through, up to MAX_CHECKED_BODY_BYTES (beyond, dropped and marked too large). */
function createCopy() {
  let chunks: Buffer[] = [];
  let bytes = 0;
  const copy = {
    tooLarge: false,
    keep(chunk: Buffer) {
      if (copy.tooLarge) return;
      bytes += chunk.length;
      if (bytes <= MAX_CHECKED_BODY_BYTES) chunks.push(chunk);
      else {
        copy.tooLarge = true;
        chunks = [];
      }
    },
    read: () => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)),
  };
  return copy;
}
