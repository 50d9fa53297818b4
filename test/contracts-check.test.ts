import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isLosslessNumber } from "lossless-json";
import { describe, expect, it } from "vitest";
import { checkRequest } from "../checks/check-request.js";
import { checkResponse } from "../checks/check-response.js";
import { readResponse } from "../checks/read-response.js";
import { toOperationStem } from "../checks/to-operation.js";
import { SCHEMA_DIR, getCatalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";

const INFO = "/alibaba/refund/info";
const DETAIL = "taobao.pc.refund.detail";
const EXAMPLES = join(SCHEMA_DIR, "examples");

function setup() {
  const success = {
    requestId: "4cfda0b725184ab8a1e3ee3b9051ec35",
    code: 200,
    developId: "1014533973088404335",
    msg: "成功",
    data: { refundId: "TQ36706338027991577", applyPayment: 1250, onlyRefund: false, goodsStatus: 2 },
  };
  const topSuccess = {
    pc_refund_detail_response: {
      request_id: "3x9k2",
      result: { success: true, error_code: "200", refund_dispute_order_resp: { biz_order_id: "2123456789012345678", dispute_type: 1 } },
    },
  };
  return { success, topSuccess };
}

/** `path rule severity` per violation, to compare with exact expectations. */
function toKeys(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.path} ${v.rule} ${v.severity}`);
}

describe("checkResponse", () => {
  it("passes a documented success answer with no violations at all", () => {
    const { success, topSuccess } = setup();
    expect(checkResponse(INFO, success)).toEqual([]);
    expect(checkResponse(DETAIL, topSuccess)).toEqual([]);
  });

  it("reports an undocumented member as a drift warning with its path", () => {
    const { success } = setup();
    const drifted = { ...success, traceId: "t-1", data: { ...success.data, refundChannel: "alipay" } };
    expect(toKeys(checkResponse(INFO, drifted))).toEqual(["data.refundChannel drift warning", "traceId drift warning"]);
  });

  it("reports a changed type as a failure at its path", () => {
    const { success } = setup();
    const violations = checkResponse(INFO, { ...success, data: { ...success.data, applyPayment: "12.50" } });
    expect(violations).toEqual([{ path: "data.applyPayment", rule: "type", message: "must be integer or null", severity: "error" }]);
  });

  it("reports a value outside the documented enum as a failure", () => {
    const { success } = setup();
    expect(toKeys(checkResponse(INFO, { ...success, data: { ...success.data, goodsStatus: 7 } }))).toEqual(["data.goodsStatus enum error"]);
  });

  it("reports a renamed required member as missing, and its new name as a likely rename", () => {
    const { topSuccess } = setup();
    const renamed = { pc_refund_detail_resp: topSuccess.pc_refund_detail_response };
    const violations = checkResponse(DETAIL, renamed);
    expect(toKeys(violations)).toEqual(["pc_refund_detail_response required error", "pc_refund_detail_resp drift warning"]);
    expect(violations[1]!.message).toContain('"pc_refund_detail_response"');
  });

  it("reports a 19-digit id sent as a JSON number as a precision hazard with its exact digits", () => {
    const raw = `{"code":200,"msg":"成功","data":{"orderId":2123456789012345678,"refundId":"TQ1"}}`;
    const [hazard, ...rest] = checkResponse(INFO, raw);
    expect(rest).toEqual([]);
    expect(hazard).toMatchObject({ path: "data.orderId", rule: "precision", severity: "warning" });
    expect(hazard!.message).toContain("2123456789012345678 (19 digits)");
    expect(hazard!.message).toContain("reads it as 2123456789012345600");
    expect(hazard!.message).toContain("types it as a number");
  });

  it("reports a 19-digit id as a failure and a hazard where the schema says string", () => {
    const raw = `{"pc_refund_detail_response":{"result":{"refund_dispute_order_resp":{"biz_order_id":2123456789012345678}}}}`;
    expect(toKeys(checkResponse(DETAIL, raw))).toEqual([
      "pc_refund_detail_response.result.refund_dispute_order_resp.biz_order_id type error",
      "pc_refund_detail_response.result.refund_dispute_order_resp.biz_order_id precision warning",
    ]);
  });

  it("warns that an already parsed unsafe integer was rounded before the check", () => {
    const [hazard] = checkResponse(INFO, { code: 200, data: { orderId: 2123456789012345678 } });
    expect(hazard).toMatchObject({ path: "data.orderId", rule: "precision" });
    expect(hazard!.message).toContain("already rounded");
  });

  it("keeps every digit of a big integer when it reads raw text", () => {
    const reading = readResponse(INFO, `{"code":200,"data":{"orderId":2123456789012345678}}`);
    const orderId = (reading.document as { data: { orderId: unknown } }).data.orderId;
    expect(isLosslessNumber(orderId) && orderId.value).toBe("2123456789012345678");
  });

  it("reports a PandaPon error envelope as api-error with its code and msg, not as schema noise", () => {
    const reading = readResponse(INFO, `{"requestId":"r1","code":401,"developId":null,"msg":"Invalid signature","data":null}`);
    expect(reading.apiError).toEqual({ code: "401", msg: "Invalid signature", path: "code" });
    expect(reading.violations).toEqual([
      { path: "code", rule: "api-error", severity: "error", message: "the API answered with error 401: Invalid signature" },
    ]);
  });

  it("checks an error envelope against the error schema", () => {
    const violations = checkResponse(INFO, { code: 500, msg: 42, data: null });
    expect(toKeys(violations)).toEqual(["code api-error error", "msg type error"]);
  });

  it("reports a TOP error_response as api-error with code, msg and sub code", () => {
    const body = `{"error_response":{"code":25,"msg":"Invalid signature","sub_code":"isv.invalid-signature","request_id":"x1"}}`;
    const reading = readResponse(DETAIL, body);
    expect(reading.apiError).toMatchObject({ code: "25", msg: "Invalid signature", subCode: "isv.invalid-signature" });
    expect(reading.violations.map((v) => v.message)).toEqual([
      "the API answered with error 25: Invalid signature (isv.invalid-signature)",
    ]);
  });

  it("treats the documented placeholder code 0 next to real data as a success answer", () => {
    const { success } = setup();
    expect(readResponse(INFO, { ...success, code: 0 }).apiError).toBeUndefined();
  });

  it("reports a body that is not JSON as one parse failure", () => {
    expect(toKeys(checkResponse(INFO, `{"code":200,`))).toEqual([" parse error"]);
    expect(checkResponse(INFO, "")[0]!.message).toContain("(the body is empty)");
  });

  it("shows the start of an HTML page that came instead of JSON", () => {
    const [violation] = checkResponse(INFO, "<html><head><title>502 Bad Gateway</title></head></html>");
    expect(violation).toMatchObject({ path: "", rule: "parse", severity: "error" });
    expect(violation!.message).toContain(`(the body starts with "<html><head><title>502 Bad Gateway</title></head></html>")`);
  });
});

describe("checkResponse on TOP XML", () => {
  it("reads the documented XML example with only the enum placeholders failing", () => {
    const xml = readFileSync(join(EXAMPLES, "taobao-pc-refund-detail/response.documented.xml"), "utf8");
    const at = "pc_refund_detail_response.result.refund_dispute_order_resp";
    expect(toKeys(checkResponse(DETAIL, xml))).toEqual([
      `${at}.dispute_type enum error`,
      `${at}.goods_status enum error`,
      `${at}.goods_needs enum error`,
      `${at}.biz_dispute_claim_type enum error`,
    ]);
  });

  it("reads the documented XML error as a valid TopErrorResponse", () => {
    const xml = readFileSync(join(EXAMPLES, "taobao-pc-refund-detail/error.documented.xml"), "utf8");
    const reading = readResponse(DETAIL, xml);
    expect(reading.format).toBe("xml");
    expect(reading.apiError).toMatchObject({ code: "50", msg: "Remote service error", subCode: "isv.invalid-parameter", subMsg: "非法参数" });
    expect(reading.violations.filter((v) => v.rule !== "api-error")).toEqual([]);
  });

  it("reports a 19-digit number in an integer-typed XML element as a precision hazard", () => {
    const xml = `<pc_refund_detail_response><result><refund_dispute_order_resp><refund_item_v_o><item_id>6123456789012345678</item_id></refund_item_v_o></refund_dispute_order_resp></result></pc_refund_detail_response>`;
    expect(toKeys(checkResponse(DETAIL, xml))).toEqual([
      "pc_refund_detail_response.result.refund_dispute_order_resp.refund_item_v_o.item_id precision warning",
    ]);
  });
});

describe("checkRequest", () => {
  it("passes a valid request", () => {
    expect(checkRequest(INFO, { refundId: "TQ36706338027991577" })).toEqual([]);
  });

  it("reports a renamed required member as missing and the new name as drift", () => {
    const violations = checkRequest(INFO, { refund_id: "TQ36706338027991577" });
    expect(toKeys(violations)).toEqual(["refundId required error", "refund_id drift warning"]);
  });

  it("reads TOP parameters as text the way the gateway does, and reports a non-numeric buyer_id at its path", () => {
    const violations = checkRequest(DETAIL, { refund_detail_order_req: { dispute_id: 10000001, buyer_id: 10000001 } });
    expect(toKeys(violations)).toEqual([]);
    expect(toKeys(checkRequest(DETAIL, { refund_detail_order_req: { dispute_id: "1", buyer_id: "abc" } }))).toEqual([
      "refund_detail_order_req.buyer_id type error",
    ]);
  });

  it("reads TOP form parameters: system parameters ignored, struct parameters parsed from JSON text", () => {
    const form = new URLSearchParams({
      method: DETAIL,
      app_key: "12345678",
      sign: "ABC",
      refund_detail_order_req: `{"dispute_id":"1","buyer_id":1234567890123456789,"extra":1}`,
    }).toString();
    expect(toKeys(checkRequest(DETAIL, form))).toEqual([
      "refund_detail_order_req.extra drift warning",
      "refund_detail_order_req.buyer_id precision warning",
    ]);
  });

  it("throws for an unknown operation, naming it", () => {
    expect(() => checkRequest("/alibaba/refund/nope", {})).toThrow('Unknown operation "/alibaba/refund/nope"');
  });
});

describe("the checks agree with every example fixture", () => {
  const catalog = getCatalog();
  for (const operation of catalog.operations) {
    const stem = toOperationStem(operation);
    let files: string[] = [];
    try {
      files = readdirSync(join(EXAMPLES, stem)).filter((f) => f.endsWith(".json") && !f.startsWith("error"));
    } catch {
      continue;
    }
    for (const file of files) {
      it(`${stem}/${file}: the failures are exactly the ones the fixture lists`, () => {
        const text = readFileSync(join(EXAMPLES, stem, file), "utf8");
        const fixture = JSON.parse(text) as { direction: string; payload: unknown; violations: Array<{ path: string; rule: string }> };
        const payload = JSON.stringify(fixture.payload);
        const found = fixture.direction === "request" ? checkRequest(operation, payload) : checkResponse(operation, payload);
        const failures = found.filter((v) => v.severity === "error").map((v) => ({ path: v.path, rule: v.rule }));
        expect(failures).toEqual(expect.arrayContaining(fixture.violations));
        expect(failures).toHaveLength(fixture.violations.length);
      });
    }
  }
});

describe("checkRequest reads numbers as written", () => {
  it("refuses a fraction where an integer id is wanted, though a double would round it to an integer", () => {
    const body = `{"webSite":"1688","orderId":2542285634920880794.5,"cancelReason":"other"}`;
    expect(toKeys(checkRequest("/alibaba/order/cancel", body))).toContain("orderId type error");
  });

  it("accepts a 19-digit id as written, reporting only the precision hazard", () => {
    const body = `{"webSite":"1688","orderId":2542285634920880794,"cancelReason":"other"}`;
    expect(toKeys(checkRequest("/alibaba/order/cancel", body)).filter((k) => k.endsWith("error"))).toEqual([]);
  });

  it("refuses an integer beyond the signed 64-bit range, as the mock does", () => {
    const form = new URLSearchParams({ method: DETAIL, refund_detail_order_req: `{"dispute_id":"1","buyer_id":12345678901234567890}` }).toString();
    expect(toKeys(checkRequest(DETAIL, form))).toContain("refund_detail_order_req.buyer_id maximum error");
  });
});
