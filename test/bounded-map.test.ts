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

describe("bounded map with a byte bound", () => {
  const byLength = (maxBytes: number, maxEntryBytes?: number) => ({ maxBytes, maxEntryBytes, sizeOf: (_: string, value: string) => value.length });

  it("never weighs more than maxBytes, forgetting the oldest entries first, however many come", () => {
    const map = createBoundedMap<string>(1_000, byLength(100));
    for (let i = 0; i < 10_000; i++) {
      map.set(`k${i}`, "x".repeat(1 + (i % 30)));
      expect(map.bytes).toBeLessThanOrEqual(100);
    }
    const kept = [...map.values()];
    expect(kept.reduce((sum, v) => sum + v.length, 0)).toBe(map.bytes);
    // The newest entries are the ones kept, oldest first: 9999 weighs 10, 9998 weighs 9, …
    expect(kept.at(-1)).toBe("x".repeat(10));
    expect(map.get("k9999")).toBe("x".repeat(10));
    expect(map.get("k9000")).toBeUndefined();
  });

  it("keeps no entry over maxEntryBytes, and forgets an existing key given one", () => {
    const map = createBoundedMap<string>(10, byLength(100, 20));
    map.set("small", "x".repeat(20));
    map.set("large", "x".repeat(21));
    expect([map.get("small"), map.get("large"), map.size, map.bytes]).toEqual(["x".repeat(20), undefined, 1, 20]);
    map.set("small", "x".repeat(50));
    expect([map.get("small"), map.size, map.bytes]).toEqual([undefined, 0, 0]);
    // The forgotten key's old place in the ring does not push out the key when it comes back.
    map.set("small", "y");
    for (let i = 0; i < 9; i++) map.set(`k${i}`, "z");
    expect([map.get("small"), map.size]).toEqual(["y", 10]);
  });

  it("pushes out the oldest entries when an update makes an entry heavier", () => {
    const map = createBoundedMap<string>(10, byLength(10));
    for (const key of ["a", "b", "c"]) map.set(key, "xxx");
    map.set("c", "xxxxxxx");
    expect([map.get("a"), map.get("b"), map.get("c"), map.bytes]).toEqual([undefined, "xxx", "xxxxxxx", 10]);
  });

  it("gives its values oldest first across the ring's wrap", () => {
    const map = createBoundedMap<number, number>(3);
    for (let i = 0; i < 8; i++) map.set(i, i);
    expect([...map.values()]).toEqual([5, 6, 7]);
  });
});

describe("the journal", () => {
  it("keeps the last journalSize entries, oldest first, and no more than journalBytes of their texts", () => {
    const core = getCore(createApp({ journalSize: 5, journalBytes: 1_000 }));
    for (let i = 0; i < 12; i++) core.record({ api: "mock", operation: `op${i}`, status: 200, code: 0, message: "m" });
    expect(core.readJournal().map((e) => e.operation)).toEqual(["op7", "op8", "op9", "op10", "op11"]);
    for (let i = 0; i < 12; i++) core.record({ api: "mock", operation: `long${i}`, status: 400, code: 1, message: "x".repeat(300) });
    expect(core.readJournal().map((e) => e.operation)).toEqual(["long10", "long11"]);
    expect(core.readStoreSizes().journal.bytes).toBeLessThanOrEqual(1_000);
  });
});

describe("GET /__mock/health", () => {
  it("reports how full the journal and the answer cache are, in entries and bytes", async () => {
    const { app, pandaponHeaders } = setupMock();
    for (let i = 0; i < 2; i++) await request(app).post("/alibaba/refund/info").set(pandaponHeaders()).send({ refundId: "TQ1" });
    const { stores } = (await request(app).get("/__mock/health")).body;
    expect(stores).toEqual(getCore(app).readStoreSizes());
    expect(stores.journal.entries).toBe(2);
    expect(stores.answerCache.entries).toBe(1);
    expect(stores.answerCache.bytes).toBeGreaterThan(1_000);
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
    const produce = core.producer.produceAnswer;
    core.producer.produceAnswer = (...args) => {
      generated += 1;
      return produce(...args);
    };
    const ask = (refundId: string) => core.answer(info, { refundId }, "json", (data) => data.text).body;
    const first = ask("TQ1");
    expect([ask("TQ1"), generated]).toEqual([first, 2]);
    expect([ask("TQ1"), ask("TQ1"), generated]).toEqual([first, first, 2]);
    // A flood of ids seen once each leaves the polled answer in place (it holds 10 answers).
    for (let i = 0; i < 1000; i++) ask(`TQ${1000 + i}`);
    expect(generated).toBe(1002);
    expect([ask("TQ1"), generated]).toEqual([first, 1002]);
  });
});

