import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { parseXmlTree } from "../checks/parse-top-xml.js";
import type { XmlElement } from "../checks/parse-top-xml.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { BUNDLE, startBundledServe } from "./helpers/start-bundled-serve.js";
import { playUpstream } from "./helpers/play-upstream.js";

const REFUND = { refund_detail_order_req: { dispute_id: "10000001", buyer_id: 10000001 } };
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pandapon-cli-proxy-"));
  dirs.push(dir);
  return dir;
}

/** `pandapon-mock proxy` from the built CLI as a child process; `ready` resolves with its URL. */
function startProxy(args: string[]) {
  expect(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`).toBe(true);
  const child = spawn(process.execPath, [BUNDLE, "proxy", "--port", "0", "--host", "127.0.0.1", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not start: ${output}`)), 15_000);
    child.stdout.on("data", () => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url && output.includes("journal:")) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    void exited.then((code) => reject(new Error(`proxy exited (${code}) before listening: ${output}`)));
  });
  return { child, ready, exited, output: () => output };
}

async function stop(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals): Promise<number | null> {
  child.kill(signal);
  return exited;
}

function find(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...find(child, name)]);
}

describe("pandapon-mock proxy as a process", () => {
  it("forwards and checks real traffic; on SIGINT prints the summary, writes valid --json and --junit, records, and exits 0", async () => {
    const upstream = await playUpstream();
    const dir = tempDir();
    const record = join(dir, "recordings");
    const proxy = startProxy(["--target", upstream.url, "--record", record, "--json", join(dir, "proxy.json"), "--junit", join(dir, "proxy.xml")]);
    try {
      const url = await proxy.ready;
      const pandapon = createPandaponClient({ baseUrl: url, ...DEMO_PANDAPON, retries: 0, timeoutMs: 5000 });
      const top = createTopClient({ gateway: url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format: "json" });
      const info = await pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(info.status).toBe(200);
      expect(Buffer.from(info.rawBody)).toEqual(upstream.seen[0]!.answer.body);
      expect((await top.call("taobao.pc.refund.detail", REFUND)).apiError).toBeUndefined();
      const unknown = await fetch(`${url}/not/an/operation`);
      expect(unknown.status).toBe(upstream.seen[2]!.answer.status);
      // The bundled CLI checks on its worker thread (dist/cli/check-worker.js beside it).
      expect(proxy.output()).toContain("checks on 1 worker thread");
      const journal = (await (await fetch(`${url}/__mock/journal`)).json()) as { counts: { checkWorkers: number } };
      expect(journal.counts.checkWorkers).toBe(1);
      expect(await stop(proxy.child, proxy.exited, "SIGINT")).toBe(0);
      const output = proxy.output();
      expect(output).toContain("SIGINT: finishing exchanges in flight");
      expect(output).toMatch(/2 exchanges checked: 2 passed, 0 failed, 0 upstream errors, 1 not in the catalog \(passed through unchecked\); \d+ warnings?\. OK/);
      expect(output).not.toContain(DEMO_PANDAPON.accessKey);

      const json = JSON.parse(readFileSync(join(dir, "proxy.json"), "utf8"));
      expect(json).toMatchObject({ tool: "pandapon-mock proxy", ok: true, summary: { total: 2, passed: 2, failed: 0 }, uncheckedExchanges: { notInCatalog: 1, unchecked: 0 }, backpressure: { checkAll: false, waited: 0 } });
      expect(json.results.map((r: { operation: string }) => r.operation)).toEqual(["/alibaba/refund/info", "taobao.pc.refund.detail"]);
      const junit = parseXmlTree(readFileSync(join(dir, "proxy.xml"), "utf8"));
      expect(junit.ok).toBe(true);
      const cases = junit.ok ? find(junit.value, "testcase") : [];
      expect(cases).toHaveLength(2);
      expect(junit.ok ? find(junit.value, "failure") : ["unparsed"]).toEqual([]);

      const files = readdirSync(record).sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^alibaba-refund-info-[0-9a-f]{12}-0001\.json$/);
      expect(files[1]).toMatch(/^taobao-pc-refund-detail-[0-9a-f]{12}-0001\.json$/);
      const texts = files.map((f) => readFileSync(join(record, f), "utf8")).join("\n");
      for (const secret of [DEMO_PANDAPON.accessKey, DEMO_PANDAPON.userId, info.request.headers.signature!]) expect(texts).not.toContain(secret);
    } finally {
      proxy.child.kill("SIGKILL");
      await upstream.stop();
    }
  });

  it("on SIGTERM after an exchange that broke its contract: the summary says FAILED, the reports say why, exit 1", async () => {
    const drift = (body: string, url: string) => (url.startsWith("/alibaba/refund/info") ? body.replace(/"refundId":"[^"]*"/, '"refundId":12345') : body);
    const upstream = await playUpstream({ drift });
    const dir = tempDir();
    const proxy = startProxy(["--target", upstream.url, "--json", join(dir, "proxy.json"), "--junit", join(dir, "proxy.xml")]);
    try {
      const url = await proxy.ready;
      const pandapon = createPandaponClient({ baseUrl: url, ...DEMO_PANDAPON, retries: 0, timeoutMs: 5000 });
      const answer = await pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(answer.rawBody).toContain('"refundId":12345');
      expect(await stop(proxy.child, proxy.exited, "SIGTERM")).toBe(1);
      expect(proxy.output()).toMatch(/#1 .*\/alibaba\/refund\/info/);
      expect(proxy.output()).toMatch(/1 exchange checked: 0 passed, 1 failed, 0 upstream errors; \d+ warnings?\. FAILED/);
      const json = JSON.parse(readFileSync(join(dir, "proxy.json"), "utf8"));
      expect(json).toMatchObject({ ok: false, summary: { total: 1, failed: 1 } });
      expect(json.results[0].responseViolations.map((v: { path: string }) => v.path)).toContain("data.refundId");
      const junit = parseXmlTree(readFileSync(join(dir, "proxy.xml"), "utf8"));
      expect(junit.ok && find(junit.value, "failure")).toHaveLength(1);
    } finally {
      proxy.child.kill("SIGKILL");
      await upstream.stop();
    }
  });

  it("--check-all: says so at the start and in the summary, JSON and JUnit; an exchange it could not check all the same (a body over 8 MiB) is warned about and exits 1", async () => {
    const upstream = await playUpstream();
    const dir = tempDir();
    const proxy = startProxy(["--target", upstream.url, "--check-all", "--quiet", "--json", join(dir, "proxy.json"), "--junit", join(dir, "proxy.xml")]);
    try {
      const url = await proxy.ready;
      expect(proxy.output()).toContain("checks on 1 worker thread, every exchange (--check-all: requests wait for the checks)");
      const pandapon = createPandaponClient({ baseUrl: url, ...DEMO_PANDAPON, retries: 0, timeoutMs: 5000 });
      expect((await pandapon.call("/alibaba/refund/info", { refundId: "TQ77" })).status).toBe(200);
      const journal = (await (await fetch(`${url}/__mock/journal`)).json()) as { backpressure: { checkAll: boolean } };
      expect(journal.backpressure).toMatchObject({ checkAll: true, waitingNow: 0, refused: 0 });
      const big = await fetch(`${url}/not/an/operation`, { method: "POST", body: Buffer.alloc(9 * 2 ** 20, "y") });
      expect(big.status).toBe(upstream.seen[1]!.answer.status);
      await big.arrayBuffer();
      expect(await stop(proxy.child, proxy.exited, "SIGINT")).toBe(1);
      const output = proxy.output();
      expect(output).toContain("proxy: --check-all, yet exchange #2 (POST /not/an/operation) was NOT checked: a body longer than 8 MiB");
      expect(output).toMatch(/1 exchange checked: 1 passed, 0 failed, 0 upstream errors; \d+ warnings?\. FAILED 1 more exchange was forwarded but NOT checked despite --check-all/);
      expect(output).toMatch(/--check-all: (no request waited for the checks|1 request waited for the checks before it was forwarded \(\d+ ms in all, at most \d+ ms\))\./);
      const json = JSON.parse(readFileSync(join(dir, "proxy.json"), "utf8"));
      expect(json).toMatchObject({ ok: false, summary: { total: 1, passed: 1, failed: 0 }, uncheckedExchanges: { notInCatalog: 0, unchecked: 1 }, backpressure: { checkAll: true, gaveUp: 0, refused: 0 } });
      expect(typeof json.backpressure.waitedMs).toBe("number");
      // A CI that reads only the JUnit file sees the failure too: a suite of the run's own.
      const junit = parseXmlTree(readFileSync(join(dir, "proxy.xml"), "utf8"));
      const failures = junit.ok ? find(junit.value, "failure") : [];
      expect(failures).toHaveLength(1);
      expect(JSON.stringify(failures[0])).toContain("1 exchange(s) forwarded but NOT checked despite --check-all");
    } finally {
      proxy.child.kill("SIGKILL");
      await upstream.stop();
    }
  });

  it("exits 2 with one line for bad usage", async () => {
    const proxy = startProxy(["--target", "ftp://example.com"]);
    proxy.ready.catch(() => undefined);
    expect(await proxy.exited).toBe(2);
    expect(proxy.output().trim()).toBe('--target must be an http or https URL, not "ftp://example.com".');
    const workers = startProxy(["--target", "http://127.0.0.1:9", "--check-workers", "99"]);
    workers.ready.catch(() => undefined);
    expect(await workers.exited).toBe(2);
    expect(workers.output().trim()).toBe('--check-workers must be at most 16, not "99".');
  });

  it("what it recorded, serve replays with replay and replayStrict from its config file", async () => {
    const upstream = await playUpstream();
    const dir = tempDir();
    const record = join(dir, "recordings");
    const proxy = startProxy(["--target", upstream.url, "--record", record, "--quiet"]);
    try {
      const url = await proxy.ready;
      await createPandaponClient({ baseUrl: url, ...DEMO_PANDAPON, retries: 0 }).call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(await stop(proxy.child, proxy.exited, "SIGTERM")).toBe(0);
    } finally {
      proxy.child.kill("SIGKILL");
      await upstream.stop();
    }
    // What replay answers is the recording (masked), in a fresh envelope.
    const recorded = JSON.parse(readFileSync(join(record, readdirSync(record)[0]!), "utf8")).answer.body as string;
    const config = join(dir, "mock.json");
    writeFileSync(config, JSON.stringify({ replay: record, replayStrict: true }));
    const serve = startBundledServe(["--config", config, "--stateless"]);
    try {
      const url = await serve.ready;
      await expect.poll(serve.output).toContain(`Replaying 1 recorded exchange(s) from ${record} strictly`);
      const client = createPandaponClient({ baseUrl: url, ...DEMO_PANDAPON, retries: 0 });
      const again = await client.call("/alibaba/refund/info", { refundId: "TQ77" });
      const data = (raw: string) => JSON.parse(raw).data;
      expect(data(again.rawBody)).toEqual(data(recorded));
      const other = await client.call("/alibaba/refund/info", { refundId: "TQ78" });
      expect(other.status).toBe(404);
      expect(other.apiError).toMatchObject({ code: "40401" });
    } finally {
      serve.child.kill("SIGKILL");
    }
  });
});
