import type { IncomingMessage } from "node:http";
import { createServer, request } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createApp } from "../../mock/app.js";
import type { DeepPartial, MockOptions } from "../../mock/options.js";
import { startServer } from "../../mock/start-server.js";

/** The header naming a request's case: the upstream finds its script by it, the test what the upstream saw. */
export const CASE_HEADER = "x-fuzz-case";

/** An answer as the upstream means it: status, headers in order, body. */
export interface UpstreamAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** A request as the upstream received it, and what it answered (when it sent a whole HTTP answer). */
export interface SeenRequest {
  method: string;
  url: string;
  httpVersion: string;
  rawHeaders: string[];
  body: Buffer;
  /** False when the request's body never ended (the proxy gave up on it). */
  complete: boolean;
  /** The mock's answer to it (what a script builds on). */
  mock?: UpstreamAnswer;
  answer?: UpstreamAnswer;
}

/**
 * What the upstream does for one case: `mock` (the default) answers what the mock answers, whole,
 * on a keep-alive connection; `raw` writes the given pieces (bytes, or a pause in ms) straight on the
 * socket — anything, well-formed or not — then ends or destroys the connection; `silent` never answers.
 * `raw` receives the mock's answer to the same request, to build on it.
 */
export type UpstreamScript =
  | { kind: "mock" }
  | { kind: "raw"; pieces: (mock: UpstreamAnswer, seen: SeenRequest) => Array<Buffer | number>; then: "end" | "destroy"; answer?: (mock: UpstreamAnswer, seen: SeenRequest) => UpstreamAnswer | undefined }
  | { kind: "silent" };

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host", "upgrade", "te", "trailer", "proxy-connection"]);

/**
 * A scripted upstream on 127.0.0.1: the mock (signatures checked) behind a server that records each
 * request exactly as it arrived (method, URL, raw headers, body) by its case header, and answers as
 * that case's script says. Stop it with stop().
 */
export async function startScriptedUpstream(mockOptions: DeepPartial<MockOptions> = {}) {
  const mock = await startServer(createApp({ validateResponses: true, ...mockOptions }), 0, "127.0.0.1");
  const mockUrl = new URL(mock.url);
  const scripts = new Map<string, UpstreamScript>();
  const seen = new Map<string, SeenRequest>();
  const sockets = new Set<Socket>();

  const askMock = (req: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> =>
    new Promise((resolve) => {
      const headers: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) if (!HOP_BY_HOP.has(req.rawHeaders[i]!.toLowerCase())) headers.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      headers.push("Host", mockUrl.host, "Content-Length", String(body.length));
      const fail = (why: string) => resolve({ status: 502, headers: [["Content-Type", "text/plain"]], body: Buffer.from(`the mock: ${why}`) });
      let ask;
      try {
        ask = request({ host: mockUrl.hostname, port: mockUrl.port, method: req.method, path: req.url, headers }, (up) => {
          const got: Buffer[] = [];
          up.on("data", (c: Buffer) => got.push(c));
          up.on("end", () => resolve({ status: up.statusCode!, headers: [["Content-Type", String(up.headers["content-type"] ?? "application/octet-stream")], ["X-Upstream", "scripted"]], body: Buffer.concat(got) }));
          up.on("error", (error) => fail(error.message));
        });
      } catch (error) {
        return fail((error as Error).message);
      }
      // The mock may answer (and close) before it has read a long body.
      ask.on("error", (error) => fail(error.message));
      ask.end(body);
    });

  const server = createServer((req, res) => {
    const id = String(req.headers[CASE_HEADER] ?? "");
    const chunks: Buffer[] = [];
    const record: SeenRequest = { method: req.method!, url: req.url!, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, body: Buffer.alloc(0), complete: false };
    if (id) seen.set(id, record);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      record.body = Buffer.concat(chunks);
      record.complete = true;
      const script = scripts.get(id) ?? { kind: "mock" };
      if (script.kind === "silent") return;
      void askMock(req, record.body).then(async (mockAnswer) => {
        record.mock = mockAnswer;
        if (script.kind === "mock") {
          record.answer = { ...mockAnswer, headers: [...mockAnswer.headers, ["Content-Length", String(mockAnswer.body.length)]] };
          res.writeHead(mockAnswer.status, record.answer.headers.flat()).end(req.method === "HEAD" ? undefined : mockAnswer.body);
          return;
        }
        record.answer = script.answer?.(mockAnswer, record);
        const socket = req.socket;
        for (const piece of script.pieces(mockAnswer, record)) {
          if (socket.destroyed) return;
          if (typeof piece === "number") await new Promise((done) => setTimeout(done, piece));
          else socket.write(piece);
        }
        if (script.then === "destroy") socket.destroy();
        else socket.end();
      });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A request the upstream's own parser refuses is no concern of the test: the proxy sees a 400.
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    script: (id: string, script: UpstreamScript) => scripts.set(id, script),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
      await mock.close();
    },
  };
}

/** An HTTP/1.1 answer as bytes: status line (any reason), headers as given, body as given (no framing added). */
export function toRawAnswer(status: number | string, reason: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 ${status}${reason === "" ? "" : ` ${reason}`}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`, "latin1"), body]);
}
