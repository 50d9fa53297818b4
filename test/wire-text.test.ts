import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TOP_XML_PROLOG, toTopWireXmlMembers, toTopXml } from "../protocol/top-xml.js";
import { fromWireText, fromWireValue, toWireText, toWireValue } from "../protocol/wire-text.js";

/** Well-formed text of any code points (a lone surrogate has no UTF-8). */
const text = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => Buffer.from(s, "utf8").toString("utf8") === s);

describe("wire text (UTF-8 bytes held one per char)", () => {
  it("holds exactly the UTF-8 bytes of any text, and gives the text back", () => {
    fc.assert(
      fc.property(text, (s) => {
        const wire = toWireText(s);
        expect(Buffer.from(wire, "latin1").equals(Buffer.from(s, "utf8"))).toBe(true);
        expect(/[^\x00-\xff]/.test(wire)).toBe(false);
        expect(fromWireText(wire)).toBe(s);
      }),
      { numRuns: 2000 },
    );
    expect(toWireText("成功")).toBe("\xe6\x88\x90\xe5\x8a\x9f");
  });

  it("JSON.stringify of wire values is the wire text of JSON.stringify: nothing at or above 0x80 is escaped", () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(text, tie("value"), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const wire = JSON.stringify(toWireValue(value));
        expect(Buffer.from(wire, "latin1").toString("utf8")).toBe(JSON.stringify(value));
        expect(fromWireValue(JSON.parse(wire))).toEqual(value);
      }),
      { numRuns: 1000 },
    );
  });

  it("TOP's XML written from wire values is the wire text of the XML written from the values", () => {
    // Characters XML forbids (controls, U+FFFE, U+FFFF, lone surrogates) among ordinary and Chinese text.
    const odd = fc.constantFrom("\u0001", "\u000b", "\t", "\ufffe", "\uffff", "\ud800", "\udfff", "😀", "成功", "&<>\"'", "a");
    const piece = fc.array(fc.oneof(odd, text), { maxLength: 6 }).map((parts) => parts.join(""));
    const value = fc.dictionary(fc.constantFrom("a", "b_c", "refund"), fc.oneof(piece, fc.array(piece, { maxLength: 3 }), fc.integer()), { maxKeys: 3 });
    fc.assert(
      fc.property(value, (v) => {
        const members = toTopWireXmlMembers(toWireValue(v));
        expect(`${TOP_XML_PROLOG}<root_response>${members}</root_response>`).toBe(toWireText(toTopXml("root_response", v)));
      }),
      { numRuns: 1000 },
    );
  });

  it("shares ASCII-only values instead of copying them, copies the rest, and never touches the original", () => {
    const ascii = { refundId: "TQ1", list: [1, "a", { b: 2n }] };
    expect(toWireValue(ascii)).toBe(ascii);
    const mixed = { name: "唐驰", list: ["x", "杭州"], n: 19_000_000_000_000_000n, ["__proto__"]: "原型" };
    Object.defineProperty(mixed, "__proto__", { value: "原型", enumerable: true });
    const wire = toWireValue(mixed);
    expect(wire).not.toBe(mixed);
    expect(mixed.name).toBe("唐驰");
    expect(Object.getPrototypeOf(wire)).toBe(Object.prototype);
    expect(Object.keys(wire)).toEqual(["name", "list", "n", "__proto__"]);
    expect(fromWireValue(wire)).toEqual(mixed);
  });
});
