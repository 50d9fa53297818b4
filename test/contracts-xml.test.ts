import { isLosslessNumber } from "lossless-json";
import { describe, expect, it } from "vitest";
import { toOperationCursor } from "../schemas/schema-cursor.js";
import { parseTopXml, parseXmlTree } from "../checks/parse-top-xml.js";
import { getCatalog } from "../schemas/catalog.js";

function setup() {
  const catalog = getCatalog();
  const operation = catalog.find("taobao.pc.refund.detail")!;
  const success = toOperationCursor(catalog, operation, "response");
  const error = toOperationCursor(catalog, operation, "error");
  const shape = (root: string) => (root === "error_response" ? error : success);
  return { shape };
}

const RESP = "pc_refund_detail_response";

describe("parseXmlTree", () => {
  it("reads elements, text, entities, character references and CDATA", () => {
    const parsed = parseXmlTree(`<?xml version="1.0" encoding="utf-8"?><!-- c --><a x="1"><b>&lt;1&amp;2&gt; &#36;&#x4E2D;</b><c><![CDATA[<raw>&amp;]]></c><d/></a>`);
    expect(parsed).toEqual({
      ok: true,
      value: {
        name: "a",
        text: "",
        children: [
          { name: "b", children: [], text: "<1&2> $中" },
          { name: "c", children: [], text: "<raw>&amp;" },
          { name: "d", children: [], text: "" },
        ],
      },
    });
  });

  it.each([
    ["<a><b></a>", "</a> at offset 6 does not close <b>"],
    ["<a>", "<a> is not closed"],
    ["<a/><b/>", "a second root element <b>"],
    ["<a>&nbsp;</a>", "unknown entity &nbsp;"],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', "DOCTYPE and declarations are not supported"],
    ["", "no root element"],
  ])("reports malformed XML %j as a problem, not an exception", (xml, reason) => {
    const parsed = parseXmlTree(xml);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(reason);
  });

  it("refuses nesting deeper than 256 elements", () => {
    const parsed = parseXmlTree("<a>".repeat(300) + "</a>".repeat(300));
    expect(!parsed.ok && parsed.message).toContain("nested deeper than 256");
  });
});

describe("parseTopXml", () => {
  it("converts leaves by the schema's types and keeps strings where the schema says string", () => {
    const { shape } = setup();
    const xml = `<${RESP}><result><success>true</success><error_code>200</error_code><refund_dispute_order_resp><refund_fee>350</refund_fee><dispute_id>0012</dispute_id></refund_dispute_order_resp></result></${RESP}>`;
    const parsed = parseTopXml(xml, { shape });
    expect(parsed).toEqual({
      ok: true,
      value: { [RESP]: { result: { success: true, error_code: "200", refund_dispute_order_resp: { refund_fee: 350, dispute_id: "0012" } } } },
    });
  });

  it("makes a list with one element an array where the schema says array", () => {
    const { shape } = setup();
    const xml = `<${RESP}><result><refund_dispute_order_resp><allowed_operations><string>Top</string></allowed_operations></refund_dispute_order_resp></result></${RESP}>`;
    const parsed = parseTopXml(xml, { shape });
    const resp = parsed.ok ? (parsed.value[RESP] as any).result.refund_dispute_order_resp : undefined;
    expect(resp.allowed_operations).toEqual({ string: ["Top"] });
  });

  it("makes repeated elements an array even where the schema does not know them", () => {
    const parsed = parseTopXml(`<x><item>1</item><item>2</item></x>`);
    expect(parsed).toEqual({ ok: true, value: { x: { item: ["1", "2"] } } });
  });

  it("leaves a value that does not fit its type as text, for the schema check to report", () => {
    const { shape } = setup();
    const parsed = parseTopXml(`<${RESP}><result><success>yes</success></result></${RESP}>`, { shape });
    expect(parsed.ok && (parsed.value[RESP] as any).result.success).toBe("yes");
  });

  it("keeps every digit of a big integer with the lossless option", () => {
    const { shape } = setup();
    const xml = `<${RESP}><result><refund_dispute_order_resp><refund_fee>12345678901234567890</refund_fee></refund_dispute_order_resp></result></${RESP}>`;
    const parsed = parseTopXml(xml, { shape, lossless: true });
    const fee = parsed.ok ? (parsed.value[RESP] as any).result.refund_dispute_order_resp.refund_fee : undefined;
    expect(isLosslessNumber(fee) && fee.value).toBe("12345678901234567890");
  });

  it("reads an error_response with the error schema's types", () => {
    const { shape } = setup();
    const parsed = parseTopXml(`<error_response><code>25</code><msg>Invalid signature</msg></error_response>`, { shape });
    expect(parsed).toEqual({ ok: true, value: { error_response: { code: 25, msg: "Invalid signature" } } });
  });
});
