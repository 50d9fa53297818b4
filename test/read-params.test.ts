import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readParams } from "../mock/exchange.js";

/** What readParams replaced: URLSearchParams, first value of each name kept. */
function viaUrlSearchParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) if (!params.has(key)) params.set(key, value);
  return params;
}

const PIECES = ["a", "b", "=", "&", "&&", "+", "%", "%2", "%41", "%e4%bd%A0", "%FF", "%C3", "%C3%A9", "退款", "x y", "%zz", "%26", "%3D", "%2B", "?", "__proto__", "sign", ""];

describe("readParams (query strings and form bodies)", () => {
  it("reads any text exactly as URLSearchParams does, malformed escapes and repeated names included", () => {
    const pieces = fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((parts) => parts.join(""));
    // Bodies arrive as bytes: any bytes, decoded as UTF-8 the way the mock decodes them.
    const bytes = fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString("utf8"));
    fc.assert(
      fc.property(fc.oneof(pieces, bytes), (text) => {
        expect(readParams(text)).toEqual(viaUrlSearchParams(text));
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps the first value of a repeated name, like a servlet's getParameter", () => {
    expect([...readParams("method=a&method=b&sign=&x")]).toEqual([
      ["method", "a"],
      ["sign", ""],
      ["x", ""],
    ]);
    expect(readParams("q=%E9%80%80%E6%AC%BE+1%2B1&bad=%E9").get("q")).toBe("退款 1+1");
    expect(readParams("bad=%E9%zz").get("bad")).toBe("\ufffd%zz");
  });
});
