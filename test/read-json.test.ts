import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, readJson } from "../mock/read-json.js";

describe("readJson", () => {
  it("accepts JSON nested exactly MAX_JSON_DEPTH deep and refuses one level more, however short the text", () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    expect(readJson(nested(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(readJson(nested(MAX_JSON_DEPTH + 1))).toEqual({ ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(readJson(`{"a":${nested(MAX_JSON_DEPTH)}}`).ok).toBe(false);
    expect(readJson('{"refundId":"TQ1"}')).toEqual({ ok: true, value: { refundId: "TQ1" } });
    expect(readJson("{").ok).toBe(false);
  });
});
