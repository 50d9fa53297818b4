import type { ServerResponse } from "node:http";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createApp } from "../mock/app.js";
import { startServer } from "../mock/start-server.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import type { ProxyOptions } from "../proxy/create-proxy.js";
import { createProxy } from "../proxy/create-proxy.js";
import { MAX_CHECKED_BODY_BYTES } from "../proxy/forward-exchange.js";

/** A valid answer of /alibaba/refund/info, as the mock writes it (asked once, signed with the demo credentials). */
async function readRefundAnswer(): Promise<Buffer> {
  const mock = await startServer(createApp(), 0, "127.0.0.1");
  try {
    const call = await createPandaponClient({ baseUrl: mock.url, ...DEMO_PANDAPON, retries: 0 }).call("/alibaba/refund/info", { refundId: "TQ70" });
    expect(call.status).toBe(200);
    return Buffer.from(call.rawBody);
  } finally {
    await mock.close();
  }
}

/**
 * A real upstream on 127.0.0.1 that answers every request with the same valid refund answer, as
 * fast as it can write, all at once: the answers are held until flush(), or with `burst` until
 * `burst.count` are held or `burst.ms` after the first (answers in bursts, like many clients'
 * answers coming back together). It counts the requests it received and the most it held at once.
 */
async function startCannedUpstream(body: Buffer, burst?: { count: number; ms: number }) {
  const held: ServerResponse[] = [];
  const stats = { received: 0, mostHeld: 0 };
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const res of held.splice(0)) res.writeHead(200, { "content-type": "application/json;charset=UTF-8", "content-length": body.length }).end(body);
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      stats.received += 1;
      held.push(res);
      stats.mostHeld = Math.max(stats.mostHeld, held.length);
      if (!burst) return;
      if (held.length >= burst.count) flush();
      else timer ??= setTimeout(flush, burst.ms);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    flush,
    stop: async () => {
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

async function startProxy(options: Omit<ProxyOptions, "warn">) {
  const warnings: string[] = [];
  const app = createProxy({ warn: (line) => warnings.push(line), ...options });
  const running = await startServer(app, 0, "127.0.0.1");
  const client = createPandaponClient({ baseUrl: running.url, ...DEMO_PANDAPON, retries: 0, timeoutMs: 20_000 });
  const stop = async () => {
    await app.settle();
    await app.close();
    await running.close();
  };
  return { app, url: running.url, client, warnings, stop };
}

const REQUESTS = 40;

describe("proxy --check-all: backpressure instead of unchecked exchanges", () => {
  for (const checkWorkers of [0, 1]) {
    it(`with checkWorkers ${checkWorkers}: a load that outruns a small check queue leaves exchanges unchecked; with checkAll every one is checked, requests waiting for room`, async () => {
      const answer = await readRefundAnswer();
      const outcomes: Record<string, { checked: number; unchecked: number; waited: number; maxWaitMs: number; mostHeld: number }> = {};
      for (const checkAll of [false, true]) {
        // The answers come back together, the 40 of them when all 40 requests were forwarded at once.
        const upstream = await startCannedUpstream(answer, { count: REQUESTS, ms: 20 });
        const proxy = await startProxy({ target: upstream.url, checkWorkers, checkAll, checkQueue: { maxPending: 2 } });
        try {
          const calls = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => proxy.client.call("/alibaba/refund/info", { refundId: `TQ${i}` })));
          for (const call of calls) expect(Buffer.from(call.rawBody).equals(answer)).toBe(true);
          await proxy.app.settle();
          const counts = proxy.app.readCounts();
          const backpressure = proxy.app.readBackpressure();
          expect(counts.checked + counts.unchecked).toBe(REQUESTS);
          expect(counts).toMatchObject({ notInCatalog: 0, waiting: 0, checkWorkers });
          expect(upstream.stats.received).toBe(REQUESTS);
          expect(backpressure).toMatchObject({ checkAll, waitingNow: 0, gaveUp: 0, refused: 0 });
          outcomes[String(checkAll)] = { checked: counts.checked, unchecked: counts.unchecked, waited: backpressure.waited, maxWaitMs: backpressure.maxWaitMs, mostHeld: upstream.stats.mostHeld };
          if (checkAll) {
            expect(proxy.app.readJournal().map((e) => e.outcome)).toEqual(Array(REQUESTS).fill("passed"));
            expect(proxy.app.readJournal().map((e) => e.sequence)).toEqual(Array.from({ length: REQUESTS }, (_, i) => i + 1));
          }
          expect(proxy.warnings).toEqual([]);
        } finally {
          await proxy.stop();
          await upstream.stop();
        }
      }
      // Forwarding first: the burst's answers came back faster than the checks, and some went unchecked.
      expect(outcomes.false!.unchecked).toBeGreaterThan(0);
      expect(outcomes.false!.waited).toBe(0);
      expect(outcomes.false!.mostHeld).toBeGreaterThan(2);
      // Every exchange checked: requests waited, and no more than the queue's bound were ever forwarded at once.
      expect(outcomes.true).toMatchObject({ checked: REQUESTS, unchecked: 0 });
      expect(outcomes.true!.waited).toBeGreaterThan(0);
      expect(outcomes.true!.maxWaitMs).toBeGreaterThan(0);
      expect(outcomes.true!.mostHeld).toBeLessThanOrEqual(2);
    });

    it(`with checkWorkers ${checkWorkers}: a client that goes away while its request waits is never forwarded; a request beyond the waiting list is answered 503`, async () => {
      const answer = await readRefundAnswer();
      const upstream = await startCannedUpstream(answer);
      const proxy = await startProxy({ target: upstream.url, checkWorkers, checkAll: true, checkQueue: { maxPending: 1, maxWaiting: 1 } });
      try {
        // The first request takes the one place: forwarded, its answer held by the upstream.
        const first = proxy.client.call("/alibaba/refund/info", { refundId: "TQ71" });
        await expect.poll(() => upstream.stats.received).toBe(1);
        // The second waits, before anything of it is sent upstream.
        const waiting = request(`${proxy.url}/alibaba/refund/info`, { method: "POST", headers: { "content-type": "application/json" } });
        waiting.on("error", () => undefined);
        waiting.end('{"refundId":"TQ72"}');
        await expect.poll(() => proxy.app.readBackpressure().waitingNow).toBe(1);
        // The third finds the waiting list full: answered by the proxy, not forwarded.
        const refused = await fetch(`${proxy.url}/alibaba/refund/info`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"refundId":"TQ73"}' });
        expect(refused.status).toBe(503);
        expect(refused.headers.get("x-pandapon-mock-proxy")).toBe("busy");
        expect(await refused.json()).toMatchObject({ code: 50301, data: null, msg: expect.stringContaining("not forwarded") });
        // The waiting client goes away: it leaves the list, and nothing of it is forwarded.
        waiting.destroy();
        await expect.poll(() => proxy.app.readBackpressure()).toMatchObject({ waitingNow: 0, gaveUp: 1, refused: 1 });
        upstream.flush();
        expect((await first).status).toBe(200);
        // The place is free again: the next request goes through.
        const next = proxy.client.call("/alibaba/refund/info", { refundId: "TQ74" });
        await expect.poll(() => upstream.stats.received).toBe(2);
        upstream.flush();
        expect((await next).status).toBe(200);
        await proxy.app.settle();
        expect(upstream.stats.received).toBe(2);
        expect(proxy.app.readCounts()).toMatchObject({ checked: 2, unchecked: 0, waiting: 0 });
        expect(proxy.app.readJournal().map((e) => [e.sequence, e.outcome])).toEqual([
          [1, "passed"],
          [2, "passed"],
        ]);
        expect(proxy.app.readBackpressure()).toMatchObject({ checkAll: true, waitingNow: 0, gaveUp: 1, refused: 1 });
      } finally {
        await proxy.stop();
        await upstream.stop();
      }
    });
  }

  it(`warns about an exchange it could not check all the same (a body over ${MAX_CHECKED_BODY_BYTES / 2 ** 20} MiB), and goes on`, async () => {
    const answer = await readRefundAnswer();
    const upstream = await startCannedUpstream(answer, { count: 1, ms: 0 });
    const proxy = await startProxy({ target: upstream.url, checkAll: true });
    try {
      const big = await fetch(`${proxy.url}/alibaba/refund/info`, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.alloc(MAX_CHECKED_BODY_BYTES + 1024, " ") });
      expect(big.status).toBe(200);
      await big.arrayBuffer();
      expect((await proxy.client.call("/alibaba/refund/info", { refundId: "TQ75" })).status).toBe(200);
      await proxy.app.settle();
      expect(proxy.app.readCounts()).toMatchObject({ checked: 1, unchecked: 1 });
      expect(proxy.warnings).toEqual(["proxy: --check-all, yet exchange #1 (POST /alibaba/refund/info) was NOT checked: a body longer than 8 MiB (forwarded whole, no copy kept to check)"]);
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });
});
