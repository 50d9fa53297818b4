import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, readJson, readJsonExactly } from "../mock/read-json.js";
import { InexactNumber } from "../protocol/to-exact-number.js";
import { jsonText, numberText } from "./helpers/json-text.js";

describe("readJson", () => {
  it("accepts JSON nested exactly MAX_JSON_DEPTH deep and refuses one level more, however short the text", () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    expect(readJson(nested(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(readJson(nested(MAX_JSON_DEPTH + 1))).toEqual({ ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(readJson(`{"a":${nested(MAX_JSON_DEPTH)}}`).ok).toBe(false);
    expect(readJson(`{"id":2542285634920880794,"a":${nested(MAX_JSON_DEPTH)}}`)).toEqual({ ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(readJson('{"refundId":"TQ1"}')).toEqual({ ok: true, value: { refundId: "TQ1" }, exact: false });
    expect(readJson("{").ok).toBe(false);
    expect(readJson('{"id":2542285634920880794').ok).toBe(false);
  });

  it("reads integers beyond ±(2^53−1) as bigint, digit for digit, whatever their form", () => {
    const read = (number: string) => (readJson(`{"id":${number}}`) as { value: { id: unknown } }).value.id;
    expect(read("2542285634920880794")).toBe(2542285634920880794n);
    expect(read("2542285634920880795")).toBe(2542285634920880795n);
    expect(read("-9223372036854775809")).toBe(-9223372036854775809n);
    expect(read("2542285634920880794.000")).toBe(2542285634920880794n);
    expect(read("2.542285634920880794e18")).toBe(2542285634920880794n);
    expect(read("1e19")).toBe(10n ** 19n);
    expect(read("9007199254740991")).toBe(9007199254740991);
    expect(read("1.0")).toBe(1);
    expect(read("1e400")).toBe(Infinity);
  });

  it("reads a fraction the double rounds to an integer as an InexactNumber, and fractions it keeps as numbers", () => {
    const read = (number: string) => (readJson(`[${number}]`) as { value: unknown[] }).value[0];
    for (const text of ["2542285634920880794.5", "0.99999999999999999", "123456789012345.99999999999999", "1e-400", "-2.5e-1000"]) {
      expect(read(text), text).toEqual(new InexactNumber(text));
    }
    expect(read("0.1234567890123456789")).toBe(0.12345678901234568);
    expect(read("12345678901234.5")).toBe(12345678901234.5);
  });

  it("keeps __proto__ an own member, not the prototype, when it reads numbers exactly", () => {
    const reading = readJson('{"__proto__":{"polluted":2542285634920880794},"id":2542285634920880794}');
    expect(reading.ok && reading.exact).toBe(true);
    const value = (reading as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", "id"]);
    expect(value.__proto__).toEqual({ polluted: 2542285634920880794n });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reads every text as readJsonExactly does, taking JSON.parse's fast path only where the two agree", () => {
    let fast = 0;
    fc.assert(
      fc.property(jsonText, (text) => {
        const reading = readJson(text);
        expect(reading.ok).toBe(true);
        if (!reading.ok) return;
        if (!reading.exact) fast += 1;
        expect(reading.value).toStrictEqual(readJsonExactly(text));
      }),
      { numRuns: 3000, seed: 16 },
    );
    // Both paths are exercised, not one of them by accident.
    expect(fast).toBeGreaterThan(300);
    expect(fast).toBeLessThan(2700);
  });

  it("takes JSON.parse's fast path only for numbers it reads as written, however near the edge (15 digits, runs of 9s)", () => {
    fc.assert(
      fc.property(numberText, (number) => {
        const text = `{"n":${number}}`;
        const reading = readJson(text) as { value: unknown; exact: boolean };
        expect(reading.value).toStrictEqual(readJsonExactly(text));
      }),
      { numRuns: 20000, seed: 53 },
    );
  });
});
