import { createHash } from "node:crypto";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { DEMO_TOP } from "../protocol/demo.js";
import { getCatalog } from "../schemas/catalog.js";
import { toTopTimestamp } from "../signing/verify.js";
import { NOW, setupMock } from "./helpers/mock-setup.js";

const REQ = { refund_detail_order_req: JSON.stringify({ dispute_id: "10000001", buyer_id: 10000001 }) };
const detail = getCatalog().find("taobao.pc.refund.detail")!;

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

describe("TOP gateway success", () => {
  it("answers a form-encoded md5 POST in JSON with pc_refund_detail_response and request_id", async () => {
    const { app, topParams } = setupMock();
    const res = await request(app).post("/router/rest").type("form").send(form(topParams(REQ)));
    expect(res.status).toBe(200);
    const body = res.body.pc_refund_detail_response;
    expect(body.request_id).toEqual(expect.any(String));
    expect(body.result.success).toBe(true);
    expect(body.result.refund_dispute_order_resp.dispute_id).toBe("10000001");
    expect(detail.checkResponse(res.body)).toEqual([]);
  });

  it("answers XML when format is absent, with lists wrapped by element type", async () => {
    const { app, topParams } = setupMock();
    const res = await request(app).get("/router/rest").query(topParams(REQ, { format: undefined }));
    expect(res.headers["content-type"]).toMatch(/^text\/xml/);
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="utf-8" \?><pc_refund_detail_response><result><success>true<\/success>/);
    expect(res.text).toMatch(/<allowed_operations><string>Top<\/string><string>Pub<\/string><\/allowed_operations>/);
    expect(res.text).toMatch(/<refund_message_v_o_list><refund_message_vo><leave_message_content>/);
    expect(res.text).toMatch(/<request_id>\w+<\/request_id><\/pc_refund_detail_response>$/);
  });

  it("gives the same answer in both formats for the same request", async () => {
    const { app, topParams } = setupMock();
    const json = await request(app).post("/router/rest").type("form").send(form(topParams(REQ)));
    const xml = await request(app).post("/router/rest").type("form").send(form(topParams(REQ, { format: "xml" })));
    expect(xml.text).toContain(`<dispute_reason_text>${json.body.pc_refund_detail_response.result.refund_dispute_order_resp.dispute_reason_text}</dispute_reason_text>`);
  });

  it("reads parameters from a multipart body", async () => {
    const { app, topParams } = setupMock();
    let req = request(app).post("/router/rest");
    for (const [k, v] of Object.entries(topParams(REQ))) req = req.field(k, v);
    const res = await req;
    expect(res.body.pc_refund_detail_response.result.success).toBe(true);
  });

  for (const method of ["hmac", "hmac-sha256"] as const) {
    it(`accepts sign_method ${method}`, async () => {
      const { app, topParams } = setupMock();
      const res = await request(app).post("/router/rest").type("form").send(form(topParams(REQ, { sign_method: method })));
      expect(res.body.pc_refund_detail_response).toBeDefined();
    });
  }

  it("works with a request built like the official TOP SDKs (form POST, UTF-8, md5, Accept text/xml,text/javascript)", async () => {
    const { app } = setupMock();
    const params: Record<string, string> = {
      method: "taobao.pc.refund.detail",
      app_key: DEMO_TOP.appKey,
      timestamp: toTopTimestamp(NOW),
      format: "json",
      v: "2.0",
      sign_method: "md5",
      partner_id: "top-sdk-java-20200923",
      refund_detail_order_req: '{"buyer_id":10000001,"dispute_id":"10000001"}',
    };
    const sorted = Object.keys(params).sort().map((k) => k + params[k]).join("");
    params.sign = createHash("md5").update(DEMO_TOP.secret + sorted + DEMO_TOP.secret, "utf8").digest("hex").toUpperCase();
    const res = await request(app)
      .post("/router/rest")
      .set("content-type", "application/x-www-form-urlencoded;charset=UTF-8")
      .set("accept", "text/xml,text/javascript")
      .set("user-agent", "top-sdk-java")
      .send(form(params));
    expect(res.body.pc_refund_detail_response.result.success).toBe(true);
  });

  it("verifies the official signing example byte for byte (doc 101617, sign 66987CB115214E59E6EC978214934FB8)", async () => {
    const { app } = setupMock({ now: () => Date.UTC(2016, 0, 1, 4, 0, 0) });
    const official = { method: "taobao.item.seller.get", app_key: "12345678", session: "test", timestamp: "2016-01-01 12:00:00", format: "json", v: "2.0", sign_method: "md5", fields: "num_iid,title,nick,price,num", num_iid: "11223344" };
    const ok = await request(app).post("/router/rest").type("form").send(form({ ...official, method: "taobao.pc.refund.detail", sign: "66987CB115214E59E6EC978214934FB8" }));
    // Same parameters but another method: the official signature no longer matches → 25.
    expect(ok.body.error_response.code).toBe(25);
    const served = await request(app).post("/router/rest").type("form").send(form({ ...official, sign: "66987CB115214E59E6EC978214934FB8" }));
    // The official method is not a taobao.pc.* method: 22 Invalid Method (checked before the signature, as the gateway does).
    expect(served.body.error_response.code).toBe(22);
  });
});

describe("TOP gateway errors, in error_response with HTTP 200", () => {
  const cases: Array<[string, Record<string, string | undefined>, number, string?]> = [
    ["missing method", { method: undefined }, 21],
    ["unknown method", { method: "taobao.pc.nothing" }, 22],
    ["invalid format", { format: "yaml" }, 23],
    ["missing sign", { sign: undefined }, 24],
    ["wrong sign", { sign: "0".repeat(32) }, 25],
    ["unknown sign_method", { sign_method: "sha1" }, 25],
    ["missing app_key", { app_key: undefined }, 28],
    ["unknown app_key", { app_key: "999" }, 29],
    ["missing timestamp", { timestamp: undefined }, 30],
    ["timestamp 11 minutes old", { timestamp: toTopTimestamp(NOW - 660_000) }, 31],
    ["malformed timestamp", { timestamp: "2025/05/14 12:00:00" }, 31],
    ["missing v", { v: undefined }, 32],
    ["invalid v", { v: "two" }, 33],
    ["unsupported v", { v: "1.0" }, 34],
  ];
  for (const [name, overrides, code] of cases) {
    it(`answers code ${code} for ${name}`, async () => {
      const { app, topParams } = setupMock();
      const res = await request(app).post("/router/rest").type("form").send(form(topParams(REQ, overrides)));
      expect(res.status).toBe(200);
      const format = overrides.format === "yaml" ? "xml" : "json";
      if (format === "xml") {
        expect(res.text).toContain(`<error_response><code>${code}</code>`);
      } else {
        expect(res.body.error_response.code).toBe(code);
        expect(res.body.error_response.request_id).toEqual(expect.any(String));
      }
    });
  }

  it("answers 40 with isv.missing-parameter:dispute_id for a struct without its required member", async () => {
    const { app, topParams } = setupMock();
    const res = await request(app).post("/router/rest").type("form").send(form(topParams({ refund_detail_order_req: '{"buyer_id":1}' })));
    expect(res.body.error_response).toMatchObject({ code: 40, msg: "Missing Required Arguments", sub_code: "isv.missing-parameter:dispute_id" });
  });

  it("answers 41 with isv.invalid-parameter:buyer_id for a mistyped member", async () => {
    const { app, topParams } = setupMock();
    const res = await request(app).post("/router/rest").type("form").send(form(topParams({ refund_detail_order_req: '{"dispute_id":"1","buyer_id":"abc"}' })));
    expect(res.body.error_response).toMatchObject({ code: 41, sub_code: "isv.invalid-parameter:buyer_id" });
  });

  it("answers 41 for a struct parameter that is not JSON text", async () => {
    const { app, topParams } = setupMock();
    const res = await request(app).post("/router/rest").type("form").send(form(topParams({ refund_detail_order_req: "{dispute_id:1" })));
    expect(res.body.error_response).toMatchObject({ code: 41, sub_code: "isv.invalid-parameter:refund_detail_order_req" });
  });

  it("answers errors in XML by default, following the documented error shape", async () => {
    const { app, topParams } = setupMock();
    const res = await request(app).get("/router/rest").query(topParams(REQ, { format: undefined, sign: "BAD" }));
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="utf-8" \?><error_response><code>25<\/code><msg>Invalid Signature<\/msg><sub_code>isv.invalid-parameter:sign<\/sub_code><sub_msg>/);
  });

  it("shows the expected string-to-sign with the secret masked on a wrong signature", async () => {
    const { app, topParams } = setupMock();
    const res = await request(app).post("/router/rest").type("form").send(form(topParams(REQ, {}, "not-the-secret")));
    expect(res.body.error_response.sub_msg).toContain("******app_key12345678formatjsonmethodtaobao.pc.refund.detail");
    expect(res.text).not.toContain(DEMO_TOP.secret);
  });

  it("answers 9 for an HTTP method other than GET or POST", async () => {
    const { app } = setupMock();
    const res = await request(app).put("/router/rest").send("x");
    expect(res.text).toContain("<code>9</code>");
  });
});
