import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { Agent, request } from "node:http";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { createApp } from "../mock/app.js";
import { startServer } from "../mock/start-server.js";
import { getCatalog } from "../schemas/catalog.js";
import { DEFAULT_SCHEME, signPandapon } from "../signing/pandapon-scheme.js";
import { NOW } from "./helpers/mock-setup.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The built CLI as installed and as `npm start` runs it: package.json `bin` (`npm test` builds first). */
const CLI = join(ROOT, Object.values((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> }).bin)[0]!);
const INFO = "/alibaba/refund/info";
const info = getCatalog().find(INFO)!;
let nonces = 0;

/** The system headers of a PandaPon request signed for `now` (the CLI runs on the real clock). */
function signedHeaders(now: number): Record<string, string> {
  nonces += 1;
  const headers: Record<string, string> = {
    "access-key": DEMO_PANDAPON.accessKey,
    "nonce-str": `${String(nonces).padStart(8, "0")}${process.pid.toString(16).padStart(24, "0")}`,
    timestamp: String(now),
    "user-id": DEMO_PANDAPON.userId,
  };
  headers.signature = signPandapon(DEFAULT_SCHEME, { headers }, DEMO_PANDAPON.secret).signature;
  return { ...headers, "content-type": "application/json" };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request held in flight: `Expect: 100-continue` makes the server say when it has parsed the
 * headers (the request is then in progress), and the body is only sent on `finish()`.
 */
function startSlowRequest(url: string, headers: Record<string, string>, body: string, agent: Agent) {
  const { hostname, port } = new URL(url);
  let answered!: (answer: Answer) => void;
  let failed!: (error: Error) => void;
  const answer = new Promise<Answer>((resolve, reject) => ((answered = resolve), (failed = reject)));
  const outgoing = request({ host: hostname, port, path: INFO, method: "POST", agent, headers: { ...headers, expect: "100-continue", "content-length": Buffer.byteLength(body) } }, (res) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => (text += chunk));
    res.on("end", () => answered({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    res.on("error", failed);
  });
  outgoing.on("error", failed);
  const continued = new Promise<void>((resolve) => outgoing.once("continue", () => resolve()));
  outgoing.flushHeaders();
  return { continued, answer, finish: () => outgoing.end(body) };
}

/** A plain request on `agent`, read in full. */
function send(url: string, headers: Record<string, string>, body: string, agent: Agent): Promise<Answer> {
  const slow = startSlowRequest(url, headers, body, agent);
  slow.finish();
  return slow.answer;
}

function expectValidAnswer(answer: Answer, refundId: string): void {
  expect(answer.status, answer.body.slice(0, 300)).toBe(200);
  const body = JSON.parse(answer.body);
  expect(body).toMatchObject({ code: 200, data: { refundId } });
  expect(info.checkResponse(body)).toEqual([]);
}

/** Resolves when `port` on 127.0.0.1 can be bound again (and releases it at once). */
function bindAndRelease(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** Resolves with the error code of a fresh connection attempt (e.g. ECONNREFUSED), or "connected". */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** The built CLI (`npm test` builds first) serving on a port the OS picks. */
function setupCli(): Promise<{ child: ChildProcess; url: string; port: number; waitForOutput(pattern: RegExp): Promise<void>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build`).toBe(true);
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const waiter of waiters.filter((w) => w.pattern.test(output))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const waitForOutput = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(output)) return resolve();
      waiters.push({ pattern, resolve });
      void exited.then(({ code, signal }) => reject(new Error(`The CLI exited (${signal ?? code}) before printing ${pattern}:\n${output}`)));
    });
  return waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/).then(
    () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output)!;
      return { child, url: url[1]!, port: Number(url[2]), waitForOutput, exited };
    },
    (error: unknown) => {
      child.kill("SIGKILL");
      throw error;
    },
  );
}

describe("graceful shutdown of `pandapon-mock serve`", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`finishes a request in flight on ${signal}, exits 0 and releases the port`, async () => {
      const cli = await setupCli();
      const agent = new Agent({ keepAlive: true });
      try {
        const slow = startSlowRequest(cli.url, signedHeaders(Date.now()), JSON.stringify({ refundId: "TQ36706338027991577" }), agent);
        await slow.continued;
        cli.child.kill(signal);
        await cli.waitForOutput(new RegExp(`${signal}: finishing in-flight requests`));
        slow.finish();
        const answer = await slow.answer;
        const answered = performance.now();
        expectValidAnswer(answer, "TQ36706338027991577");
        // The last answer on a closing server tells the client not to reuse the connection…
        expect(answer.headers.connection).toBe("close");
        expect(await cli.exited).toEqual({ code: 0, signal: null });
        // …so the process need not wait out Node's 5 s keep-alive timeout before it exits.
        expect(performance.now() - answered).toBeLessThan(3_000);
        await bindAndRelease(cli.port);
      } finally {
        agent.destroy();
        cli.child.kill("SIGKILL");
      }
    });
  }

  it("exits on SIGTERM while a keep-alive client holds an idle connection, well before the keep-alive timeout", async () => {
    const cli = await setupCli();
    const agent = new Agent({ keepAlive: true });
    try {
      expectValidAnswer(await send(cli.url, signedHeaders(Date.now()), '{"refundId":"TQ1"}', agent), "TQ1");
      const idle = Object.values(agent.freeSockets).flat();
      expect(idle).toHaveLength(1);
      const signalled = performance.now();
      cli.child.kill("SIGTERM");
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      // Node's keep-alive timeout is 5 s: an idle connection left open would hold the exit that long.
      expect(performance.now() - signalled).toBeLessThan(3_000);
      await bindAndRelease(cli.port);
    } finally {
      agent.destroy();
      cli.child.kill("SIGKILL");
    }
  });
});

describe("graceful shutdown of startServer", () => {
  function setup() {
    return startServer(createApp({ now: () => NOW }), 0, "127.0.0.1");
  }

  it("stops accepting at close(), finishes the request in flight, then resolves and releases the port", async () => {
    const running = await setup();
    const port = Number(new URL(running.url).port);
    const agent = new Agent({ keepAlive: true });
    try {
      const slow = startSlowRequest(running.url, signedHeaders(NOW), JSON.stringify({ refundId: "TQ42" }), agent);
      await slow.continued;
      let closed = false;
      const closing = running.close().then(() => (closed = true));
      expect(await tryConnect(port)).toBe("ECONNREFUSED");
      expect(closed).toBe(false);
      slow.finish();
      const answer = await slow.answer;
      expectValidAnswer(answer, "TQ42");
      expect(answer.headers.connection).toBe("close");
      await closing;
      await bindAndRelease(port);
    } finally {
      agent.destroy();
      running.server.closeAllConnections();
    }
  });

  it("resolves close() while a keep-alive client holds an idle connection", async () => {
    const running = await setup();
    const port = Number(new URL(running.url).port);
    const agent = new Agent({ keepAlive: true });
    try {
      expectValidAnswer(await send(running.url, signedHeaders(NOW), '{"refundId":"TQ7"}', agent), "TQ7");
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
      await running.close();
      await bindAndRelease(port);
    } finally {
      agent.destroy();
      running.server.closeAllConnections();
    }
  });
});
