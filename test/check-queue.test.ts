import { describe, expect, it } from "vitest";
import { createCheckQueue } from "../proxy/create-check-queue.js";

const tick = () => new Promise<void>((done) => setImmediate(done));

describe("the proxy's check queue", () => {
  it("runs queued checks in order after the current turn, never at once", async () => {
    const queue = createCheckQueue();
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) expect(queue.add(() => ran.push(i), 10)).toBe(true);
    expect(ran).toEqual([]);
    expect(queue.size).toBe(5);
    await tick();
    await tick();
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(queue.size).toBe(0);
  });

  it("refuses what does not fit, by entries and by bytes, and takes more once checks have run", async () => {
    const byCount = createCheckQueue({ maxPending: 3 });
    const results = Array.from({ length: 5 }, () => byCount.add(() => undefined, 1));
    expect(results).toEqual([true, true, true, false, false]);
    byCount.drain();
    expect(byCount.add(() => undefined, 1)).toBe(true);
    const byBytes = createCheckQueue({ maxPendingBytes: 100 });
    expect(byBytes.add(() => undefined, 60)).toBe(true);
    expect(byBytes.add(() => undefined, 60)).toBe(false);
    expect(byBytes.add(() => undefined, 40)).toBe(true);
    byBytes.drain();
    expect(byBytes.add(() => undefined, 100)).toBe(true);
  });

  it("yields to other work between turns when checks take long, and goes on after", async () => {
    const queue = createCheckQueue();
    const order: string[] = [];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    for (let i = 0; i < 10; i++) queue.add(() => (busy(2), order.push(`check ${i}`)), 1);
    setImmediate(() => setImmediate(() => order.push("other work")));
    while (queue.size > 0) await tick();
    const other = order.indexOf("other work");
    expect(other).toBeGreaterThan(0);
    expect(other).toBeLessThan(order.length - 1);
    expect(order.filter((o) => o !== "other work")).toEqual(Array.from({ length: 10 }, (_, i) => `check ${i}`));
  });
});
