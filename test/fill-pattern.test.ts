import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileDigitsNumber, compilePattern, toDecimalText, toDigitText } from "../mock/generate/fill-pattern.js";
import { createRandomizer } from "../mock/generate/randomizer.js";
import type { GenerationContext } from "../mock/generate/generation-context.js";

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

  it("gives a digits-only pattern's integer by arithmetic: the same number, from the same draws, as its text", () => {
    const part = fc.oneof(
      fc.integer({ min: 0, max: 15 }).map((n) => `{d${n}}`),
      fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 90_000 })).map(([lo, extra]) => `{n${lo}-${lo + extra}}`),
      fc.stringMatching(/^\d{1,4}$/),
    );
    const digitsOf = (p: string) => [...p.matchAll(/\{d(\d+)\}|\{n\d+-(\d+)\}|(\d+)/g)].reduce((sum, [, d, hi, lit]) => sum + (d ? Number(d) : hi ? hi.length : lit!.length), 0);
    const pattern = fc.array(part, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("")).filter((p) => digitsOf(p) <= 15);
    fc.assert(
      fc.property(pattern, fc.nat(), (p, seed) => {
        const a = contextFor(seed);
        const b = contextFor(seed);
        const number = compileDigitsNumber(p);
        const text = compilePattern(p);
        for (let i = 0; i < 3; i++) expect(number(a)).toBe(Number(text(b)));
        expect(a.random()).toBe(b.random());
      }),
      { numRuns: 1000 },
    );
  });

  it("writes digits from its table exactly as String and padStart would", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (width, r) => {
        const n = Math.floor(r * 10 ** width);
        expect(toDigitText(n, width)).toBe(String(n).padStart(width, "0"));
        expect(toDecimalText(n)).toBe(String(n));
      }),
      { numRuns: 3000 },
    );
    for (const n of [0, 9, 10, 999, 1000, 999_999_999, 1e9, 123_456_789_012, -5, 2.5, -0]) expect(toDecimalText(n)).toBe(String(n));
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
