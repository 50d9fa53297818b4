import request from "supertest";
import { describe, expect, it } from "vitest";
import { createApp, getCore } from "../mock/app.js";
import { createBoundedMap } from "../mock/bounded-map.js";
import { setupMock } from "./helpers/mock-setup.js";

describe("bounded map", () => {
  it("forgets the oldest key first once full, and updates existing keys in place", () => {
    const map = createBoundedMap<number>(3);
    for (const [i, key] of ["a", "b", "c"].entries()) map.set(key, i);
    map.set("a", 10);
    expect(map.size).toBe(3);
    map.set("d", 3);
    expect(map.get("a")).toBeUndefined();
    expect([map.get("b"), map.get("c"), map.get("d")]).toEqual([1, 2, 3]);
  });

  it("never holds more than its capacity, and nothing at capacity 0", () => {
    const map = createBoundedMap<number>(100);
    for (let i = 0; i < 100_000; i++) map.set(`k${i}`, i);
    expect(map.size).toBe(100);
    expect(map.get("k99999")).toBe(99_999);
    expect(map.get("k99899")).toBeUndefined();
    const none = createBoundedMap<number>(0);
    none.set("a", 1);
    expect([none.size, none.get("a")]).toEqual([0, undefined]);
  });
});

describe("the answer cache", () => {
  it("is invisible: the same bytes with and without it, first time and repeated", async () => {
    const cached = setupMock({ answerCacheSize: 1000 });
    const uncached = setupMock({ answerCacheSize: 0 });
    const ask = (s: ReturnType<typeof setupMock>, refundId: string) => request(s.app).post("/alibaba/refund/info").set(s.pandaponHeaders()).send({ refundId });
    for (const refundId of ["TQ1", "TQ2", "TQ1", "TQ1"]) {
      const [a, b] = await Promise.all([ask(cached, refundId), ask(uncached, refundId)]);
      expect(a.text).toBe(b.text);
    }
  });

  it("keeps an answer from its request's second time, so requests seen once (new ids) never fill it", () => {
    const core = getCore(createApp({ answerCacheSize: 10 }));
    const info = core.catalog.find("/alibaba/refund/info")!;
    let generated = 0;
    const produce = core.producer.produceAnswerText;
    core.producer.produceAnswerText = (...args) => {
      generated += 1;
      return produce(...args);
    };
    const ask = (refundId: string) => core.produceDataText(info, { refundId }).dataText;
    const first = ask("TQ1");
    expect([ask("TQ1"), generated]).toEqual([first, 2]);
    expect([ask("TQ1"), ask("TQ1"), generated]).toEqual([first, first, 2]);
    // A flood of ids seen once each leaves the polled answer in place (it holds 10 answers).
    for (let i = 0; i < 1000; i++) ask(`TQ${1000 + i}`);
    expect(generated).toBe(1002);
    expect([ask("TQ1"), generated]).toEqual([first, 1002]);
  });
});

