import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { combineRounds } from "../scripts/bench/combine-rounds.js";
import { createRefunds, createStatePushesPlan, toCallbackUrl, toPushReceiverCommand, toStatefulCommand } from "../scripts/bench/create-state-plans.js";
import { measureTarget, readyTarget } from "../scripts/bench/run-target.js";
import type { RunningTarget } from "../scripts/bench/spawn-target.js";
import { spawnTarget } from "../scripts/bench/spawn-target.js";
import type { PushSlice, ReceiverCount } from "../scripts/bench/watch-pushes.js";
import { createPushesWatcher, readReceiverCount, toPushSlice } from "../scripts/bench/watch-pushes.js";
import { signCallback } from "../signing/callback-sign.js";
import { measuredTarget } from "./helpers/measured-target.js";

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "pandapon-mock-bench-pushes-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const count = (delivered: number, badSignature = 0, unsigned = 0): ReceiverCount => ({ delivered, badSignature, unsigned, byType: {} });

describe("the pushes of a slice", () => {
  it("are the receiver's counts at the slice's end less those at its start, per second and per create", () => {
    const slice = toPushSlice(count(100, 1, 0), count(1300, 1, 2), 3, 1250, 0.3, { seconds: 0.25, retried: 7 });
    expect(slice).toEqual({ deliveries: 1200, deliveriesPerSecond: 400, deliveriesPerCreate: 0.96, badSignature: 0, unsigned: 2, receiverCpuPercent: 10, retried: 7, settleSeconds: 0.25 });
    expect(toPushSlice(count(0), count(0), 3, 0, null, { seconds: 0, retried: 0 })).toMatchObject({ deliveriesPerSecond: 0, deliveriesPerCreate: null, receiverCpuPercent: null });
  });

  it("are combined over the rounds with the target: medians of the rates, counts summed, the longest settle", () => {
    const slice = (deliveriesPerSecond: number, deliveriesPerCreate: number, settleSeconds: number, badSignature = 0, retried = 0): PushSlice => ({ deliveries: deliveriesPerSecond * 3, deliveriesPerSecond, deliveriesPerCreate, badSignature, unsigned: 0, receiverCpuPercent: 5, retried, settleSeconds });
    const combined = combineRounds([measuredTarget("p", 600, { pushes: slice(300, 1, 0.1) }), measuredTarget("p", 400, { pushes: slice(200, 0.9, 0.8, 1, 12) }), measuredTarget("p", 700, { pushes: slice(350, 1, 0.2, 0, 3) })]);
    expect(combined.pushes).toEqual({ deliveries: 2550, deliveriesPerSecond: 300, deliveriesPerCreate: 1, badSignature: 1, unsigned: 0, receiverCpuPercent: 5, retried: 15, settleSeconds: 0.8 });
    expect(combineRounds([measuredTarget("f", 600)]).pushes).toBeUndefined();
  });
});

describe("the push receiver and the statePushes row", () => {
  const running: RunningTarget[] = [];
  afterEach(async () => {
    for (const target of running.splice(0)) await target.stop();
  });
  const start = async (command: Parameters<typeof spawnTarget>[0]) => {
    const target = await spawnTarget(command);
    running.push(target);
    return target;
  };

  it("answers every POST 200 and counts only messages signed with the tenant's AccessSecret as delivered", async () => {
    const receiver = await start(toPushReceiverCommand(PACKAGE_ROOT));
    const body = '{"messageType":"1688_ORDER_AFTER_SALES_REFUND","messageBody":{"refundId":"TQ1"},"messagePlatform":1,"timestamp":"2026-12-06 12:00:00"}';
    const post = (authorization?: string, text = body) => fetch(toCallbackUrl(receiver.url), { method: "POST", headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) }, body: text });
    const statuses = [
      (await post(signCallback(body, DEMO_PANDAPON.secret))).status,
      (await post(signCallback(body, DEMO_PANDAPON.secret, "lower"))).status,
      (await post(signCallback(body, "another-secret"))).status,
      (await post(signCallback(body, DEMO_PANDAPON.secret), body.replace("TQ1", "TQ2"))).status,
      (await post()).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(await readReceiverCount(receiver.url)).toEqual({ delivered: 2, badSignature: 2, unsigned: 1, byType: { "1688_ORDER_AFTER_SALES_REFUND": 2 } });
  });

  it("loads create+read flows on a mock pushing to the receiver, and counts one signed delivery per create", async () => {
    const receiver = await start(toPushReceiverCommand(PACKAGE_ROOT));
    const plan = createStatePushesPlan(toStatefulCommand(PACKAGE_ROOT, newDir(), ["--callback-url", toCallbackUrl(receiver.url)]), receiver);
    const mock = await start(plan.command);
    const settings = { connections: 4, durationSeconds: 1, warmupSeconds: 0, rounds: 1 };
    const live = await readyTarget(plan, mock, settings);
    await createPushesWatcher(mock.url)();
    const before = await readReceiverCount(receiver.url);
    // The prepared create and the five checked ones each pushed once.
    expect(before).toEqual({ delivered: 6, badSignature: 0, unsigned: 0, byType: { "1688_ORDER_AFTER_SALES_REFUND": 6 } });
    const result = await measureTarget(live, settings);
    expect([result.total > 0, result.non2xx, result.errors, result.mismatches]).toEqual([true, 0, 0, 0]);
    const pushes = result.pushes!;
    expect(pushes.deliveries).toBeGreaterThan(0);
    expect([pushes.badSignature, pushes.unsigned, pushes.retried]).toEqual([0, 0, 0]);
    // The slice's backlog was sent before measureTarget returned: every create of the load has arrived.
    const after = await readReceiverCount(receiver.url);
    const creates = after.delivered - before.delivered;
    expect(Math.abs(creates - result.total / 2)).toBeLessThanOrEqual(settings.connections);
    expect(pushes.deliveries).toBeLessThanOrEqual(creates);
    expect(Object.keys(after.byType)).toEqual(["1688_ORDER_AFTER_SALES_REFUND"]);
  });

  it("counts a push as handled once its first attempt is over: a late answer is a retry waiting, counted once, and never waited for", async () => {
    // A receiver answering its first two deliveries after the 1000 ms limit, the others at once.
    let received = 0;
    const late = createServer((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.end("{}"), ++received <= 2 ? 1300 : 0));
    });
    await new Promise<void>((done) => late.listen(0, "127.0.0.1", done));
    try {
      const url = `http://127.0.0.1:${(late.address() as AddressInfo).port}/callback`;
      const mock = await start(toStatefulCommand(PACKAGE_ROOT, newDir(), ["--callback-url", url]));
      const waitForPushes = createPushesWatcher(mock.url);
      await createRefunds(mock.url, 4, 1);
      const first = await waitForPushes();
      expect(first.retried).toBe(2);
      const res = await fetch(`${mock.url}/__mock/pushes?state=pending`);
      const pending = ((await res.json()) as { pushes: Array<{ attemptCount: number; attempts: Array<{ error?: string }> }> }).pushes;
      expect(pending.map((p) => [p.attemptCount, p.attempts[0]!.error])).toEqual([
        [1, "no HTTP 200 within 1000 ms"],
        [1, "no HTTP 200 within 1000 ms"],
      ]);
      // The retries stay pending (due 30 minutes later): the next wait passes them without counting them again.
      await createRefunds(mock.url, 2, 1);
      expect(await waitForPushes()).toMatchObject({ retried: 0 });
      expect(received).toBe(6);
    } finally {
      late.closeAllConnections();
      await new Promise((done) => late.close(done));
    }
  });

  it("refuses to measure a mock whose creates push nothing to the receiver", async () => {
    const receiver = await start(toPushReceiverCommand(PACKAGE_ROOT));
    const plan = createStatePushesPlan(toStatefulCommand(PACKAGE_ROOT, newDir()), receiver);
    const mock = await start(plan.command);
    await expect(readyTarget(plan, mock, { connections: 2, durationSeconds: 1, warmupSeconds: 0, rounds: 1 })).rejects.toThrow(/creating a refund pushed nothing/);
  });
});
