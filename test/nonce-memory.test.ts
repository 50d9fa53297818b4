import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NonceVerdict } from "../mock/nonce-memory.js";
import { createNonceMemory, toNonceMemoryLayout } from "../mock/nonce-memory.js";
import { toHash53 } from "../mock/to-hash53.js";

/** What the memory must answer, kept the obvious way: every text in a Map, oldest first. */
function createModel(capacity: number, lifetimeMs: number) {
  const expiries = new Map<string, number>();
  return (key: string, now: number): NonceVerdict => {
    for (const [held, expiry] of expiries) {
      if (expiry >= now) break;
      expiries.delete(held);
    }
    if (expiries.has(key)) return "replayed";
    if (expiries.size === capacity) return "full";
    expiries.set(key, now + lifetimeMs);
    return "fresh";
  };
}

describe("the nonce memory", () => {
  it("answers like a Map of every nonce text over random traffic, crowded tables included", () => {
    const step = fc.record({ tenant: fc.constantFrom("k1", "k2"), nonce: fc.integer({ min: 0, max: 40 }), wait: fc.constantFrom(0, 0, 0, 1, 3, 10, 25) });
    fc.assert(
      fc.property(fc.constantFrom(32, 48, 100, 128, 256, 1024), fc.array(step, { maxLength: 400 }), (bytes, steps) => {
        let now = 1_000;
        const memory = createNonceMemory({ bytes, windowMs: 10, now: () => now });
        const model = createModel(memory.capacity, 20);
        for (const { tenant, nonce, wait } of steps) {
          now += wait;
          expect(memory.remember(tenant, `n${nonce}`)).toBe(model(`${tenant}|n${nonce}`, now));
          expect(memory.size).toBeLessThanOrEqual(memory.capacity);
        }
      }),
      { seed: 16, numRuns: 300 },
    );
  });

  it("keeps a nonce until twice the window after its receipt, inclusive, and forgets it 1 ms later", () => {
    let now = 5_000;
    const memory = createNonceMemory({ bytes: 1024, windowMs: 1_000, now: () => now });
    expect(memory.remember("k", "a")).toBe("fresh");
    now += 2_000;
    expect(memory.remember("k", "a")).toBe("replayed");
    now += 1;
    expect([memory.remember("k", "a"), memory.size]).toEqual(["fresh", 1]);
  });

  it("when full, still knows its nonces and says how long until room", () => {
    let now = 0;
    const memory = createNonceMemory({ bytes: 64, windowMs: 100, now: () => now });
    expect([memory.capacity, memory.remember("k", "a"), memory.readMsUntilRoom()]).toEqual([2, "fresh", 0]);
    now = 30;
    expect([memory.remember("k", "b"), memory.remember("k", "c"), memory.remember("k", "a")]).toEqual(["fresh", "full", "replayed"]);
    expect(memory.readMsUntilRoom()).toBe(171);
    now = 201;
    expect([memory.remember("k", "c"), memory.remember("k", "d")]).toEqual(["fresh", "full"]);
  });

  it("fits its bytes: the layout for each size and the typed arrays it allocates", () => {
    const sizes: Array<[number, number, number]> = [
      [32, 2, 1],
      [128, 8, 4],
      [1_000, 32, 24],
      [4 * 1024 * 1024, 262_144, 131_072],
      [32 * 1024 * 1024, 2_097_152, 1_048_576],
      [48 * 1024 * 1024, 2_097_152, 1_572_864],
    ];
    for (const [bytes, slots, capacity] of sizes) {
      expect(toNonceMemoryLayout(bytes)).toEqual({ slots, capacity });
      const memory = createNonceMemory({ bytes, windowMs: 1, now: () => 0 });
      expect(memory.capacity).toBe(capacity);
      expect(memory.byteLength).toBe(slots * 8 + capacity * 16);
      expect(memory.byteLength).toBeLessThanOrEqual(bytes);
    }
  });

  it("refuses a size that holds no nonce, or is not a number, with what to use", () => {
    for (const bytes of [0, 31, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 33]) {
      expect(() => createNonceMemory({ bytes, windowMs: 1, now: () => 0 })).toThrow(/Invalid nonceMemoryBytes=.*use a number of bytes from 32/);
    }
  });
});

describe("toHash53", () => {
  it("tells apart the same characters split into other parts, texts from bytes, and keeps to 53 bits", () => {
    const hashes = [toHash53(["ab", "c"]), toHash53(["a", "bc"]), toHash53(["abc"]), toHash53([], Buffer.from("abc")), toHash53(["abc"], Buffer.alloc(0)), toHash53([])];
    expect(new Set(hashes).size).toBe(hashes.length - 1); // ["abc"] with and without empty bytes are one input
    for (const hash of hashes) expect(Number.isSafeInteger(hash) && hash >= 0).toBe(true);
  });

  it("spreads 200,000 similar nonces over their low bits (the table's home slots) with no 53-bit collision", () => {
    const seen = new Set<number>();
    const buckets = new Uint32Array(1024);
    for (let i = 0; i < 200_000; i += 1) {
      const hash = toHash53(["58c0201dfdf148eca63cbf6bb5e7cf03", `${String(i).padStart(8, "0")}5f2b9c1e8d7a4e3f9b6c2d1a`]);
      seen.add(hash);
      buckets[hash & 1023]! += 1;
    }
    expect(seen.size).toBe(200_000);
    // ~195 per bucket; a hash leaving low bits unmixed would pile thousands into a few.
    expect(Math.max(...buckets)).toBeLessThan(300);
    expect(Math.min(...buckets)).toBeGreaterThan(100);
  });
});
