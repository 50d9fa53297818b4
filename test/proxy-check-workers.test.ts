import { describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { startServer } from "../mock/start-server.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import type { ProxyOptions, ProxyResult } from "../proxy/create-proxy.js";
import { createProxy } from "../proxy/create-proxy.js";
import { MAX_CHECKED_BODY_BYTES } from "../proxy/forward-exchange.js";
import type { PlayOptions } from "./helpers/play-upstream.js";
import { playUpstream } from "./helpers/play-upstream.js";

const REFUND = { refund_detail_order_req: { dispute_id: "10000001", buyer_id: 10000001 } };

/** A played upstream, the proxy in front of it on 127.0.0.1, its warnings kept, and signing clients that call the proxy. */
async function setup(proxy: Partial<ProxyOptions> = {}, play: PlayOptions = {}) {
  const upstream = await playUpstream(play);
  const warnings: string[] = [];
  const app = createProxy({ target: upstream.url, warn: (line) => warnings.push(line), ...proxy });
  const running = await startServer(app, 0, "127.0.0.1");
  const pandapon = createPandaponClient({ baseUrl: running.url, ...DEMO_PANDAPON, retries: 0, timeoutMs: 10_000 });
  const top = createTopClient({ gateway: running.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format: "json" });
  const stop = async () => {
    await app.settle();
    await app.close();
    await running.close();
    await upstream.stop();
  };
  return { app, upstream, url: running.url, pandapon, top, warnings, stop };
}

/** A result without what differs from run to run (times). */
const comparable = ({ at: _at, durationMs: _duration, ...rest }: ProxyResult) => rest;

describe("proxy: checks on worker threads", () => {
  it("checks on one worker thread by default, with the same results, in the same order, as on the proxy's own thread or on two workers", async () => {
    const runs = [];
    for (const checkWorkers of [undefined, 0, 2]) {
      // A drifting answer and a bad request, so that the results carry violations, not only passes.
      const drift = (body: string, url: string) => (url.startsWith("/alibaba/refund/info") ? body.replace(/"refundId":"[^"]*"/, '"refundId":12345') : body);
      const t = await setup(checkWorkers === undefined ? {} : { checkWorkers }, { drift });
      try {
        for (let i = 0; i < 4; i++) expect((await t.pandapon.call("/alibaba/refund/info", { refundId: `TQ7${i}` })).status).toBe(200);
        expect((await t.pandapon.call("/alibaba/refund/info", { refundId: 8651493722961198123n })).status).toBe(400);
        expect((await t.top.call("taobao.pc.refund.detail", REFUND)).apiError).toBeUndefined();
        expect((await fetch(`${t.url}/not/an/operation`)).status).toBe(t.upstream.seen[6]!.answer.status);
        await t.app.settle();
        expect(t.app.readCounts()).toEqual({ checked: 6, notInCatalog: 1, unchecked: 0, waiting: 0, checkWorkers: checkWorkers ?? 1 });
        expect(t.app.readJournal().map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(t.app.readJournal()[6]).toMatchObject({ outcome: "unknown", operation: "GET /not/an/operation" });
        expect(t.warnings).toEqual([]);
        runs.push(t.app.readResults().map(comparable));
      } finally {
        await t.stop();
      }
    }
    expect(runs[0]!.map((r) => [r.sequence, r.operation, r.outcome])).toEqual([
      [1, "/alibaba/refund/info", "failed"],
      [2, "/alibaba/refund/info", "failed"],
      [3, "/alibaba/refund/info", "failed"],
      [4, "/alibaba/refund/info", "failed"],
      [5, "/alibaba/refund/info", "failed"],
      [6, "taobao.pc.refund.detail", "passed"],
    ]);
    expect(runs[0]![4]!.requestViolations.map((v) => v.path)).toContain("refundId");
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it("survives a worker that crashes: reports it, counts the exchange it held as unchecked, and checks the next ones on a new worker", async () => {
    const t = await setup({ checkWorkerFile: new URL("./helpers/crashing-check-worker.ts", import.meta.url) });
    try {
      expect((await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ71" })).status).toBe(200);
      const crashing = await fetch(`${t.url}/crash-the-check-worker`);
      expect(crashing.status).toBe(t.upstream.seen[1]!.answer.status);
      expect(await crashing.text()).toBe(t.upstream.seen[1]!.answer.body.toString());
      // Exchanges handed to a worker while it dies are lost with it (and counted so): wait until it is gone.
      await expect.poll(() => t.warnings.length, { timeout: 10_000 }).toBe(1);
      expect(t.warnings[0]).toBe("proxy: the check worker stopped (the check worker crashed on purpose); 1 exchange it held left unchecked; a new worker takes the next checks");
      expect((await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ73" })).status).toBe(200);
      expect((await t.top.call("taobao.pc.refund.detail", REFUND)).apiError).toBeUndefined();
      await t.app.settle();
      expect(t.app.readCounts()).toEqual({ checked: 3, notInCatalog: 0, unchecked: 1, waiting: 0, checkWorkers: 1 });
      expect(t.app.readJournal().map((e) => [e.sequence, e.outcome])).toEqual([
        [1, "passed"],
        [2, "unchecked"],
        [3, "passed"],
        [4, "passed"],
      ]);
      expect(t.app.readJournal()[1]).toMatchObject({ operation: "GET /crash-the-check-worker", reason: "the check worker stopped (the check worker crashed on purpose) before checking it (forwarded, not checked)" });
      expect(t.app.readResults().map((r) => r.sequence)).toEqual([1, 3, 4]);
    } finally {
      await t.stop();
    }
  });

  it("checks on its own thread, and says so, when no worker can start", async () => {
    const t = await setup({ checkWorkerFile: new URL("./helpers/no-such-check-worker.js", import.meta.url) });
    try {
      expect((await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ71" })).status).toBe(200);
      await expect.poll(() => t.warnings.length, { timeout: 10_000 }).toBe(1);
      expect(t.warnings[0]).toMatch(/^proxy: a check worker could not start \(.*no-such-check-worker\.js.*\): checks run on the proxy's thread$/);
      expect((await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ72" })).status).toBe(200);
      await t.app.settle();
      // The first exchange was handed to the worker that never started; the second was checked here.
      expect(t.app.readCounts()).toEqual({ checked: 1, notInCatalog: 0, unchecked: 1, waiting: 0, checkWorkers: 0 });
      expect(t.app.readJournal().map((e) => e.outcome)).toEqual(["unchecked", "passed"]);
    } finally {
      await t.stop();
    }
  });
});

describe("proxy: bodies over the cutoff", () => {
  it(`forwards an answer and a request over ${MAX_CHECKED_BODY_BYTES / 2 ** 20} MiB whole, and counts each as unchecked, not checked`, async () => {
    const padding = "x".repeat(MAX_CHECKED_BODY_BYTES + 1024);
    const drift = (body: string, url: string) => (url.startsWith("/alibaba/refund/info") ? body.replace(/^\{/, `{"padding":"${padding}",`) : body);
    const t = await setup({}, { drift });
    try {
      const big = await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ71" });
      expect(big.status).toBe(200);
      // Compared with Buffer.equals: a deep equality walks 8 MiB a byte at a time.
      expect(Buffer.from(big.rawBody).equals(t.upstream.seen[0]!.answer.body)).toBe(true);
      expect(t.upstream.seen[0]!.answer.body.length).toBeGreaterThan(MAX_CHECKED_BODY_BYTES);
      const sent = Buffer.alloc(MAX_CHECKED_BODY_BYTES + 1024, "y");
      const answer = await fetch(`${t.url}/not/an/operation`, { method: "POST", body: sent });
      expect(answer.status).toBe(t.upstream.seen[1]!.answer.status);
      expect(t.upstream.seen[1]!.body.equals(sent)).toBe(true);
      expect((await t.top.call("taobao.pc.refund.detail", REFUND)).apiError).toBeUndefined();
      await t.app.settle();
      expect(t.app.readCounts()).toEqual({ checked: 1, notInCatalog: 0, unchecked: 2, waiting: 0, checkWorkers: 1 });
      const journal = t.app.readJournal();
      expect(journal.map((e) => [e.sequence, e.outcome, e.status])).toEqual([
        [1, "unchecked", 200],
        [2, "unchecked", t.upstream.seen[1]!.answer.status],
        [3, "passed", 200],
      ]);
      expect(journal[0]!.reason).toBe("a body longer than 8 MiB (forwarded whole, no copy kept to check)");
      expect(journal[1]!.operation).toBe("POST /not/an/operation");
    } finally {
      await t.stop();
    }
  });
});
