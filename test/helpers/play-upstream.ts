import type { IncomingHttpHeaders } from "node:http";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../mock/app.js";
import type { DeepPartial, MockOptions } from "../../mock/options.js";
import { startServer } from "../../mock/start-server.js";

/** What the upstream received and what it sent back, byte for byte. */
export interface SeenExchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  answer: { status: number; headers: Record<string, string>; body: Buffer };
}

export interface PlayOptions {
  /** Changes the answer's body before it is sent (a drifting API; it may echo what the request carried). */
  drift?: (body: string, url: string, request: { headers: IncomingHttpHeaders; body: Buffer }) => string;
  /** Answers this instead of asking the mock (an erroring API). */
  fail?: { status: number; contentType: string; body: string };
  /** Waits this long before answering (a slow API). */
  delayMs?: number;
  mock?: DeepPartial<MockOptions>;
}

/**
 * A local HTTP server playing the real API: the mock (signatures checked) behind a recorder of the
 * exact bytes in and out, which can drift the answers, fail, or be slow. Stop it with stop().
 */
export async function playUpstream(options: PlayOptions = {}) {
  const mock = await startServer(createApp({ validateResponses: !options.drift, ...options.mock }), 0, "127.0.0.1");
  const mockUrl = new URL(mock.url);
  const seen: SeenExchange[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let answered = false;
      const answer = (status: number, headers: Record<string, string>, bytes: Buffer) => {
        answered = true;
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, answer: { status, headers, body: bytes } });
        setTimeout(() => res.writeHead(status, { ...headers, "content-length": String(bytes.length) }).end(bytes), options.delayMs ?? 0);
      };
      if (options.fail) return answer(options.fail.status, { "content-type": options.fail.contentType }, Buffer.from(options.fail.body));
      const ask = request({ host: mockUrl.hostname, port: mockUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: mockUrl.host } }, (up) => {
        const got: Buffer[] = [];
        up.on("data", (c: Buffer) => got.push(c));
        up.on("end", () => {
          const text = Buffer.concat(got).toString("utf8");
          const out = options.drift ? options.drift(text, req.url!, { headers: req.headers, body }) : text;
          answer(up.statusCode!, { "content-type": String(up.headers["content-type"]), "x-upstream": "played" }, Buffer.from(out));
        });
      });
      // The mock may answer (and close) before it has read a long body: the rest of it is refused.
      ask.on("error", (error) => {
        if (!answered) answer(502, { "content-type": "text/plain" }, Buffer.from(`the mock: ${error.message}`));
      });
      ask.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await mock.close();
    },
  };
}

/** A URL where nothing listens (a port just freed): connecting is refused. */
export async function findRefusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}`;
}
