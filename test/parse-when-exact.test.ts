import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readResponse } from "../checks/read-response.js";
import { findPrecisionHazards } from "../checks/find-precision-hazards.js";
import { checkRequest } from "../checks/check-request.js";
import { MAX_DOCUMENT_DEPTH, parseLossless, parseWhenExact, toPlainValue } from "../protocol/parse-lossless.js";
import { jsonText } from "./helpers/json-text.js";

const INFO = "/alibaba/refund/info";

describe("parseWhenExact (the proxy's fast reading of an answer)", () => {
  it("reads every text as parseLossless does, or declines: same values, same big integers as written, same precision warnings", () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        const fast = parseWhenExact(text);
        const lossless = parseLossless(text);
        if (!lossless.ok) expect(fast).toBeUndefined();
        else if (fast !== undefined) {
          expect(fast.plain).toEqual(toPlainValue(lossless.value));
          const value = fast.toLossless();
          expect(toPlainValue(value, "string")).toEqual(toPlainValue(lossless.value, "string"));
          expect(findPrecisionHazards(value)).toEqual(findPrecisionHazards(lossless.value));
        }
      }),
      { numRuns: 3000, seed: 15 },
    );
  });

  it("takes the fast path for a refund answer with 19-digit ids, and declines repeated members and reordered keys", () => {
    const answer = '{"code":200,"data":{"orderId":2127323427332913039,"id":3670630000000001,"list":[9223372036854775808,1],"remark":"12345678901234567890"}}';
    const fast = parseWhenExact(answer)!;
    expect(fast).toBeDefined();
    expect(findPrecisionHazards(fast.toLossless()).map((v) => v.path)).toEqual(["data.orderId", "data.list[0]"]);
    expect(parseWhenExact('{"a":1,"a":2}')).toBeUndefined();
    expect(parseWhenExact('{"b":12345678901234567890,"1":12345678901234567891}')).toBeUndefined();
  });

  it("refuses a document nested deeper than MAX_DOCUMENT_DEPTH in both readings, as a parse violation, and a request as well", () => {
    const nested = (depth: number, arrays: boolean) => (arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
    for (const depth of [MAX_DOCUMENT_DEPTH, 3_000, 6_000, 100_000]) {
      for (const arrays of [true, false]) {
        const text = `{"code":200,"data":${nested(depth, arrays)}}`;
        for (const plainWhenExact of [false, true]) {
          // Before: RangeError (call stack) thrown out of readResponse, from 2,000 levels read losslessly, 5,000 read fast.
          expect(readResponse(INFO, text, { plainWhenExact }).violations, `${depth} ${arrays} ${plainWhenExact}`).toEqual([
            { path: "", rule: "parse", severity: "error", message: `is nested deeper than ${MAX_DOCUMENT_DEPTH} levels (the body starts with ${JSON.stringify(text.slice(0, 60) + "…")})` },
          ]);
        }
        expect(checkRequest(INFO, `{"refundId":${nested(depth, arrays)}}`)).toEqual([{ path: "", rule: "parse", severity: "error", message: `is nested deeper than ${MAX_DOCUMENT_DEPTH} levels` }]);
      }
    }
    // At the limit (the envelope is a level), a document is read.
    const deepest = `{"code":200,"data":${nested(MAX_DOCUMENT_DEPTH - 1, true)}}`;
    expect(readResponse(INFO, deepest).violations.map((v) => v.rule)).not.toContain("parse");
    expect(readResponse(INFO, deepest, { plainWhenExact: true }).violations).toEqual(readResponse(INFO, deepest).violations);
    // Brackets inside strings are no nesting.
    expect(parseLossless(`{"a":"${"[".repeat(10_000)}"}`).ok).toBe(true);
  });

  it("gives readResponse the same violations with the fast path as without, on answers with any data", () => {
    fc.assert(
      fc.property(jsonText, (data) => {
        const text = `{"requestId":"r1","code":200,"developId":null,"msg":"成功","data":${data}}`;
        expect(readResponse(INFO, text, { plainWhenExact: true }).violations).toEqual(readResponse(INFO, text).violations);
      }),
      { numRuns: 1500, seed: 15 },
    );
  });
});
