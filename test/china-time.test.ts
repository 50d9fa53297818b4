import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatChinaTime, parseChinaTime } from "../mock/generate/china-time.js";

/** The slow, obviously right way: Date in UTC shifted by eight hours. */
function viaDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

describe("China time text (the generator's dates)", () => {
  const instants = fc.integer({ min: Date.UTC(1970, 0, 2), max: Date.UTC(2200, 0, 1) });

  it("formats any instant as Date does in GMT+8, leap days and year ends included", () => {
    fc.assert(fc.property(instants, (ms) => {
      expect(formatChinaTime(ms)).toBe(viaDate(ms));
    }), { numRuns: 5000 });
    for (const text of ["2024-02-29 00:00:00", "2024-12-31 23:59:59", "2025-01-01 00:00:00", "2100-03-01 07:08:09"]) {
      const ms = Date.parse(`${text.replace(" ", "T")}+08:00`);
      expect(formatChinaTime(ms)).toBe(text);
      expect(parseChinaTime(text)).toBe(ms);
    }
  });

  it("reads back what it wrote, to the second", () => {
    fc.assert(fc.property(instants, (ms) => {
      expect(parseChinaTime(formatChinaTime(ms))).toBe(ms - (ms % 1000));
    }), { numRuns: 5000 });
  });

  it("refuses text that is not its own format", () => {
    expect(parseChinaTime("2025-04-25")).toBeUndefined();
    expect(parseChinaTime("2025-04-25 1x:00:00")).toBeUndefined();
    expect(parseChinaTime("2025-04-25T12:00:00")).toBe(parseChinaTime("2025-04-25 12:00:00"));
  });
});
