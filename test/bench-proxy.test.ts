import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { startServer } from "../mock/start-server.js";
import { createProxy } from "../proxy/create-proxy.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { combineRounds } from "../scripts/bench/combine-rounds.js";
import { createPandaponRequest } from "../scripts/bench/create-load-requests.js";
import { createProxyPlan } from "../scripts/bench/create-target-plans.js";
import { measureAddedLatency } from "../scripts/bench/measure-added-latency.js";
import { measuredTarget } from "./helpers/measured-target.js";
import { playUpstream } from "./helpers/play-upstream.js";

/** A server answering 200 after `delayMs`: a stand-in for a proxy that adds that much. */
async function startAnswering(delayMs: number) {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"code":200,"data":null}'), delayMs));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))) };
}

describe("the proxy's bench rows", () => {
  it("measure the latency added as the median difference of alternating pairs, and back to back", async () => {
    const direct = await startAnswering(0);
    const slow = await startAnswering(15);
    try {
      const added = await measureAddedLatency(direct.url, slow.url, createPandaponRequest, 20, 2);
      expect(added.pairs).toBe(40);
      expect(added.addedByRoundUs).toHaveLength(2);
      expect(added.addedP50Us).toBeGreaterThanOrEqual(14_000);
      expect(added.backToBackAddedP50Us).toBeGreaterThanOrEqual(14_000);
      expect(added.proxiedP50Us - added.directP50Us).toBeGreaterThanOrEqual(14_000);
      const none = await measureAddedLatency(slow.url, direct.url, createPandaponRequest, 10, 1);
      expect(none.addedP50Us).toBeLessThan(0);
    } finally {
      await direct.stop();
      await slow.stop();
    }
  });

  it("wait for a proxy's queued checks after a slice and count them from its journal's counts", async () => {
    const upstream = await playUpstream();
    const app = createProxy({ target: upstream.url });
    const running = await startServer(app, 0, "127.0.0.1");
    try {
      const plan = createProxyPlan(PACKAGE_ROOT, upstream.url);
      expect(await plan.settle!(running.url)).toMatchObject({ checked: 0, unchecked: 0 });
      const client = createPandaponClient({ baseUrl: running.url, ...DEMO_PANDAPON, retries: 0 });
      for (const refundId of ["TQ1", "TQ2", "TQ3"]) await client.call("/alibaba/refund/info", { refundId });
      expect(await plan.settle!(running.url)).toMatchObject({ checked: 3, unchecked: 0 });
      const combined = combineRounds([measuredTarget("p", 100, { deferred: { settleMs: 5, checked: 3, unchecked: 0 } }), measuredTarget("p", 100, { deferred: { settleMs: 9, checked: 4, unchecked: 1 } })]);
      expect(combined.deferred).toEqual({ settleMs: 9, checked: 7, unchecked: 1 });
    } finally {
      await running.close();
      await upstream.stop();
    }
  });
});
