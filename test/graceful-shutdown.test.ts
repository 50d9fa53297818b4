import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { Agent, request } from "node:http";
import type { Socket } from "node:net";
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
  return { continued, answer, sendPart: (part: string) => outgoing.write(part), finish: () => outgoing.end(body) };
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

interface RunningCli {
  child: ChildProcess;
  url: string;
  port: number;
  waitForOutput(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The built CLI (`npm test` builds first) serving on a port the OS picks; `env` is added to the
 * environment, `command` replaces `node <bin>` (e.g. npm start).
 */
function setupCli(options: { env?: Record<string, string>; command?: [string, string[]] } = {}): Promise<RunningCli> {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build`).toBe(true);
  const [file, args] = options.command ?? [process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1"]];
  const child = spawn(file, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
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
        // …so its next request opens a new connection, which is refused (or answered), never reset.
        const next = await send(cli.url, signedHeaders(Date.now()), '{"refundId":"TQ2"}', agent).then(
          (answer) => String(answer.status),
          (error: NodeJS.ErrnoException) => error.code,
        );
        expect(["ECONNREFUSED", "200"]).toContain(next);
        expect(await cli.exited).toEqual({ code: 0, signal: null });
        // …and the process need not wait out Node's 5 s keep-alive timeout before it exits.
        expect(performance.now() - answered).toBeLessThan(3_000);
        await bindAndRelease(cli.port);
      } finally {
        agent.destroy();
        cli.child.kill("SIGKILL");
      }
    });
  }

  it("keeps draining when the signal comes twice (Ctrl-C under npm start: from the terminal and from npm)", async () => {
    const cli = await setupCli();
    const agent = new Agent({ keepAlive: true });
    try {
      const slow = startSlowRequest(cli.url, signedHeaders(Date.now()), JSON.stringify({ refundId: "TQ5" }), agent);
      await slow.continued;
      cli.child.kill("SIGINT");
      await cli.waitForOutput(/SIGINT: finishing in-flight requests/);
      cli.child.kill("SIGINT");
      slow.finish();
      expectValidAnswer(await slow.answer, "TQ5");
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      agent.destroy();
      cli.child.kill("SIGKILL");
    }
  });

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

/** Resolves with the exit, or "still running" when the process has not exited within `ms`. */
function waitForExit(cli: RunningCli, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | "still running"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)));
  return Promise.race([cli.exited, late]).finally(() => clearTimeout(timer));
}

/** A raw connection on which `text` has been written and the first answer received. */
function openRawConnection(port: number, text: string): Promise<{ socket: Socket; firstAnswer: string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.once("error", () => undefined);
    socket.once("data", (chunk: Buffer) => resolve({ socket, firstAnswer: chunk.toString("latin1"), closed }));
    socket.once("close", () => reject(new Error("closed before the first answer")));
  });
}

describe("shutdown that always ends (drain deadline)", () => {
  const DRAIN = { PANDAPON_MOCK_DRAIN_SECONDS: "1" };
  /** The drain deadline plus time to start the process's exit on a busy machine. */
  const BOUND_MS = 1_000 + 2_000;

  it("exits 0 within the deadline on SIGTERM while a connection has sent half its headers", async () => {
    const cli = await setupCli({ env: DRAIN });
    try {
      // The second request's headers are cut short; the first one's answer proves the server read both.
      const raw = await openRawConnection(cli.port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\nPOST /alibaba/refund/info HTTP/1.1\r\nHost: x\r\nContent-Le");
      expect(raw.firstAnswer).toMatch(/^HTTP\/1\.1 404 /);
      const signalled = performance.now();
      cli.child.kill("SIGTERM");
      expect(await waitForExit(cli, BOUND_MS + 3_000)).toEqual({ code: 0, signal: null });
      expect(performance.now() - signalled).toBeLessThan(BOUND_MS);
      await raw.closed;
      await bindAndRelease(cli.port);
    } finally {
      cli.child.kill("SIGKILL");
    }
  });

  it("exits 0 within the deadline on SIGTERM while an upload is stalled", async () => {
    const cli = await setupCli({ env: DRAIN });
    const agent = new Agent({ keepAlive: true });
    try {
      const body = JSON.stringify({ refundId: "TQ36706338027991577" });
      const slow = startSlowRequest(cli.url, signedHeaders(Date.now()), body, agent);
      const answer = slow.answer.then(
        (a) => `answered ${a.status}`,
        (error: NodeJS.ErrnoException) => error.code ?? error.message,
      );
      await slow.continued;
      slow.sendPart(body.slice(0, 10));
      const signalled = performance.now();
      cli.child.kill("SIGTERM");
      expect(await waitForExit(cli, BOUND_MS + 3_000)).toEqual({ code: 0, signal: null });
      expect(performance.now() - signalled).toBeLessThan(BOUND_MS);
      // The stalled upload was ended at the deadline, not answered.
      expect(await answer).toMatch(/ECONNRESET|socket hang up/);
      await bindAndRelease(cli.port);
    } finally {
      agent.destroy();
      cli.child.kill("SIGKILL");
    }
  });
});

/** Every process below `pid` (Linux `ps`). */
function listDescendants(pid: number): number[] {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((row) => row.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  for (let parents = [pid]; parents.length > 0; ) {
    parents = rows.filter(([, ppid]) => parents.includes(ppid)).map(([child]) => child);
    found.push(...parents);
  }
  return found;
}

/** Whether `pid` runs (a zombie waiting to be reaped does not). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

describe("npm start", () => {
  it("stops the server when npm's pid gets SIGTERM: no orphan left serving, the port closed", async () => {
    // --ignore-scripts skips prestart (the build, done by `npm test`) and still runs start itself.
    const cli = await setupCli({ command: ["npm", ["start", "--ignore-scripts", "--", "--port", "0", "--host", "127.0.0.1"]] });
    const below = listDescendants(cli.child.pid!);
    try {
      expect(below.length).toBeGreaterThan(0);
      cli.child.kill("SIGTERM");
      await cli.exited;
      const deadline = performance.now() + 5_000;
      while (below.some(isRunning) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(below.filter(isRunning)).toEqual([]);
      expect(await tryConnect(cli.port)).toBe("ECONNREFUSED");
    } finally {
      for (const pid of below.filter(isRunning)) process.kill(pid, "SIGKILL");
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

  it("resolves close() at the drain deadline, ending a connection that sent half its headers", async () => {
    const running = await startServer(createApp({ now: () => NOW }), 0, "127.0.0.1", { drainMs: 300 });
    const port = Number(new URL(running.url).port);
    try {
      const raw = await openRawConnection(port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\nPOST /alibaba/refund/info HTTP/1.1\r\nHost: x\r\nContent-Le");
      expect(raw.firstAnswer).toMatch(/^HTTP\/1\.1 404 /);
      const started = performance.now();
      await running.close();
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(2_000);
      await raw.closed;
      await bindAndRelease(port);
    } finally {
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
