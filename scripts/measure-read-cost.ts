/**
 * The server CPU of one `/alibaba/refund/info` read, stateless against stateful with a never-seen
 * refund id (the bench's mockPandapon and stateUnknown rows), measured so a loaded machine hardly
 * matters: both mocks run in one server process per build (scripts/bench/read-cost-server.mjs), the
 * load alternates between them in short slices of the bench's own signed requests (keep-alive, a
 * few in flight), and each slice's cost is the server process's CPU time (process.cpuUsage, µs)
 * over its requests — sockets, JSON writing and GC included, the client's work not.
 *
 *   npx tsx scripts/measure-read-cost.ts [--dist dist] [--dist /tmp/old/dist] [--slices 40] [--requests 300] [--concurrency 4]
 *
 *   npx tsx scripts/measure-read-cost.ts --only stateful --profile /tmp/prof   (then scripts/bench/summarize-profile.ts on it)
 *
 * Several --dist directories (builds of two versions) alternate too: an A/B in one run.
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createPandaponRequest } from "./bench/create-load-requests.js";
import type { PlainRequest } from "./bench/send-request.js";

const { values } = parseArgs({
  options: {
    dist: { type: "string", multiple: true, default: ["dist"] },
    slices: { type: "string", default: "40" },
    requests: { type: "string", default: "300" },
    concurrency: { type: "string", default: "4" },
    only: { type: "string" },
    profile: { type: "string" },
  },
});
const slices = Number(values.slices);
const perSlice = Number(values.requests);
const concurrency = Number(values.concurrency);
const ALL_MODES = ["stateless", "stateful"] as const;
type Mode = (typeof ALL_MODES)[number];
/** --only stateful (or stateless) loads one mock alone, e.g. to profile it (--profile <dir>: a V8 CPU profile of each server). */
const MODES: readonly Mode[] = values.only ? ALL_MODES.filter((m) => m === values.only) : ALL_MODES;

interface Server {
  dist: string;
  child: ChildProcess;
  urls: Record<Mode, string>;
  dir: string;
}

async function startServer(dist: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "read-cost-"));
  const child = fork(join(import.meta.dirname, "bench", "read-cost-server.mjs"), [resolve(dist), dir], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: values.profile ? ["--cpu-prof", "--cpu-prof-dir", resolve(values.profile)] : [] });
  const urls = await new Promise<Record<Mode, string>>((done, fail) => {
    child.once("message", (m) => done((m as { ready: Record<Mode, string> }).ready));
    child.once("exit", (code) => fail(new Error(`Failed to start the server of ${dist}: it exited ${code}.`)));
  });
  return { dist, child, urls, dir };
}

function readCpu(server: Server): Promise<{ cpu: number; system: number; rss: number }> {
  return new Promise((done) => {
    server.child.once("message", (m) => done(m as { cpu: number; system: number; rss: number }));
    server.child.send("cpu");
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function send(baseUrl: string, req: PlainRequest): Promise<{ status: number; body: string }> {
  const url = new URL(req.path, baseUrl);
  return new Promise((done, fail) => {
    const outgoing = request({ host: url.hostname, port: url.port, path: url.pathname, method: req.method, headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", fail);
    });
    outgoing.on("error", fail);
    outgoing.end(req.body);
  });
}

/** One slice: perSlice fresh requests, `concurrency` in flight; the server's CPU µs per request and the answer bytes. */
async function runSlice(server: Server, mode: Mode): Promise<{ us: number; systemUs: number; bytes: number }> {
  const before = await readCpu(server);
  let left = perSlice;
  let bytes = 0;
  const worker = async () => {
    while (left-- > 0) {
      const req = createPandaponRequest();
      const answer = await send(server.urls[mode], req);
      const refundId = (JSON.parse(req.body) as { refundId: string }).refundId;
      if (answer.status !== 200 || !answer.body.includes(refundId) || !answer.body.includes('"code":200,')) {
        throw new Error(`Failed to measure ${mode} reads of ${server.dist}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
      }
      bytes += answer.body.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const after = await readCpu(server);
  return { us: (after.cpu - before.cpu) / perSlice, systemUs: (after.system - before.system) / perSlice, bytes: bytes / perSlice };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const servers: Server[] = [];
for (const dist of values.dist) servers.push(await startServer(dist));
const results = new Map<string, number[]>();
const ratios = new Map<string, number[]>();
const bytes = new Map<string, number>();
const system = new Map<string, number[]>();
try {
  // Warm-up: JIT and caches, not counted.
  for (const server of servers) for (const mode of MODES) await runSlice(server, mode);
  for (let i = 0; i < slices; i++) {
    for (const server of i % 2 ? [...servers].reverse() : servers) {
      const pair: Partial<Record<Mode, number>> = {};
      for (const mode of i % 2 ? [...MODES].reverse() : MODES) {
        const slice = await runSlice(server, mode);
        pair[mode] = slice.us;
        const key = `${server.dist} ${mode}`;
        (results.get(key) ?? results.set(key, []).get(key)!).push(slice.us);
        (system.get(key) ?? system.set(key, []).get(key)!).push(slice.systemUs);
        bytes.set(key, slice.bytes);
      }
      if (MODES.length === 2) (ratios.get(server.dist) ?? ratios.set(server.dist, []).get(server.dist)!).push(pair.stateless! / pair.stateful!);
    }
  }
  console.log(`${slices} alternated slices of ${perSlice} requests, ${concurrency} in flight; server CPU µs per request (p10 / p50 / p90), of it system (p50), answer bytes`);
  for (const [key, list] of results) {
    const s = [...list].sort((a, b) => a - b);
    console.log(`  ${key.padEnd(40)} ${quantile(s, 0.1).toFixed(0).padStart(5)} / ${quantile(s, 0.5).toFixed(0).padStart(5)} / ${quantile(s, 0.9).toFixed(0).padStart(5)}   sys ${quantile([...system.get(key)!].sort((a, b) => a - b), 0.5).toFixed(0).padStart(4)}   ${bytes.get(key)!.toFixed(0)} B`);
  }
  for (const [dist, list] of ratios) {
    const s = [...list].sort((a, b) => a - b);
    console.log(`  ${dist}: stateless/stateful CPU ratio per slice pair p10 ${quantile(s, 0.1).toFixed(3)}  p50 ${quantile(s, 0.5).toFixed(3)}  p90 ${quantile(s, 0.9).toFixed(3)}`);
  }
  for (const server of servers) console.log(`  ${server.dist}: server RSS ${((await readCpu(server)).rss / 2 ** 20).toFixed(0)} MB`);
} finally {
  agent.destroy();
  for (const server of servers) {
    server.child.send("stop");
    await new Promise((done) => server.child.once("exit", done));
    rmSync(server.dir, { recursive: true, force: true });
  }
}
