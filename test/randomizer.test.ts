import { describe, expect, it } from "vitest";
import { createRandomizer, hashToSeed } from "../mock/generate/randomizer.js";

describe("the generator's randomness", () => {
  it("hashes text with FNV-1a", () => {
    expect(hashToSeed("")).toBe(0x811c9dc5);
    expect(hashToSeed("a")).toBe(0xe40c292c);
  });

  it("hashes the rest of a text onto the hash of its start as it hashes the whole", () => {
    for (const [a, b] of [["", ""], ["1|tenant|alibaba-refund|TQ1|", "3|1764979200000|seller-agree"], ["x", "退款"]] as const) {
      expect(hashToSeed(b, hashToSeed(a))).toBe(hashToSeed(a + b));
    }
  });

  it("gives the same sequence for the same seed and another for another seed", () => {
    const draw = (seed: number | number[]) => {
      const random = createRandomizer();
      random.seed(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw([42, 0x1d])).toEqual(draw([42, 0x1d]));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42)).not.toEqual(draw([42, 0x1d]));
    for (const value of draw(7)) expect(value >= 0 && value < 1).toBe(true);
  });
});
