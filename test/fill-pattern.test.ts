import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePattern } from "../mock/generate/fill-pattern.js";
import { createRandomizer } from "../mock/generate/randomizer.js";
import type { GenerationContext } from "../mock/generate/value-generators.js";

function contextFor(seed: number): GenerationContext {
  const randomizer = createRandomizer(seed);
  return { random: randomizer.next, request: {}, refDateMs: 0 } as unknown as GenerationContext;
}

describe("patterns ({dN}, {xN}, {nA-B})", () => {
  it("writes exactly N digits (the first not 0), N hex digits, and integers inside their range", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5000 }), fc.nat(), (d, x, lo, seed) => {
        const ctx = contextFor(seed);
        expect(compilePattern(`{d${d}}`)(ctx)).toMatch(new RegExp(`^[1-9]\\d{${d - 1}}$`));
        expect(compilePattern(`{x${x}}`)(ctx)).toMatch(new RegExp(`^[0-9a-f]{${x}}$`));
        const n = Number(compilePattern(`{n${lo}-${lo + 7}}`)(ctx));
        expect(n >= lo && n <= lo + 7 && Number.isInteger(n)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps literal text around the tokens, and writes nothing for {d0}", () => {
    const ctx = contextFor(1);
    expect(compilePattern("TQ{d17}")(ctx)).toMatch(/^TQ[1-9]\d{16}$/);
    expect(compilePattern("2{d12}880794")(ctx)).toMatch(/^2[1-9]\d{11}880794$/);
    expect(compilePattern("https://x/O1CN01{x16}_!!{d10}-0-cib.jpg")(ctx)).toMatch(/^https:\/\/x\/O1CN01[0-9a-f]{16}_!!\d{10}-0-cib\.jpg$/);
    expect(compilePattern("{d0}")(ctx)).toBe("");
    expect(compilePattern("")(ctx)).toBe("");
  });

  it("uses every digit in every place, and gives the same text for the same seed", () => {
    const ctx = contextFor(7);
    const fill = compilePattern("{d19}");
    const seen = Array.from({ length: 19 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...fill(ctx)].forEach((digit, place) => seen[place]!.add(digit));
    expect(seen[0]!.size).toBe(9);
    for (const place of seen.slice(1)) expect(place.size).toBe(10);
    expect(compilePattern("{d19}{x8}")(contextFor(3))).toBe(compilePattern("{d19}{x8}")(contextFor(3)));
  });
});
