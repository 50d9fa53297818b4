import request from "supertest";
import { describe, expect, it } from "vitest";
import { readEnvSettings, toServeConfig } from "../config/load-config.js";
import { createApp, getCore } from "../mock/app.js";
import type { TopErrorEntry, TopErrorName } from "../protocol/top-error-table.js";
import { TOP_ERRORS } from "../protocol/top-error-table.js";
import { parseTopXml } from "../checks/parse-top-xml.js";
import { toTopTimestamp } from "../signing/verify.js";
import { NOW, setupMock } from "./helpers/mock-setup.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";
import type { CallResult } from "../client/call-result.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import type { StoreLimits } from "../mock/state/store.js";

const REQ = { refund_detail_order_req: JSON.stringify({ dispute_id: "10000001", buyer_id: 10000001 }) };
const HOUR = 3600_000;

interface TopErrorFields {
  code?: number | string;
  msg?: string;
  sub_code?: string;
  sub_msg?: string;
}

type Sent = { status: number; text: string; headers: Record<string, string> };

/** The `error_response` of an answer, in JSON or XML. */
function readError(res: Sent): TopErrorFields {
  if (String(res.headers["content-type"]).startsWith("application/json")) return (JSON.parse(res.text) as { error_response: TopErrorFields }).error_response;
  const xml = parseTopXml(res.text);
  if (!xml.ok) throw new Error(`not XML: ${res.text.slice(0, 200)}`);
  return (xml.value as { error_response: TopErrorFields }).error_response;
}

function setup() {
  const mock = setupMock();
  const form = (overrides: Record<string, string | undefined>, business: Record<string, string> = REQ) => new URLSearchParams(mock.topParams(business, overrides)).toString();
  const post = (overrides: Record<string, string | undefined> = {}, business?: Record<string, string>, path = "/router/rest") =>
    request(mock.app).post(path).type("form").send(form(overrides, business));
  return { ...mock, form, post };
}

/** A refund application the top-dispute lifecycle accepts (refund only, goods not received). */
const APPLICATION = { biz_order_id: "4012345678901234567", out_biz_id: "OUT-REFUND-1", biz_claim_type: 1, refund_fee: 1200, apply_refund_text_id: 100501, goods_status: 1, leave_message_content: "不想要了", buyer_id: 10000001 };

/** One call to a new stateful mock (its store bounded by `limits`), answered as the other triggers' answers. */
async function onStatefulMock(limits: Partial<StoreLimits>, send: (mock: Awaited<ReturnType<typeof startStatefulMock>>) => Promise<CallResult>): Promise<Sent> {
  const mock = await startStatefulMock({ store: createSqliteStore({ file: ":memory:", limits }) });
  try {
    const answer = await send(mock);
    return { status: answer.status, text: answer.rawBody, headers: answer.headers };
  } finally {
    await mock.stop();
  }
}

/** A request the mock answers with each entry of its TOP error table: a new entry needs a way to reach it here. */
const TRIGGERS: Record<TopErrorName, (s: ReturnType<typeof setup>) => PromiseLike<Sent>> = {
  HTTP_ACTION_NOT_ALLOWED: (s) => request(s.app).put("/router/rest").type("form").send(s.form({})),
  REMOTE_SERVICE_ERROR: (s) => {
    getCore(s.app).producer.produceAnswer = () => {
      throw new Error("a fault of the mock, for the test");
    };
    return s.post();
  },
  MISSING_METHOD: (s) => s.post({ method: undefined }),
  INVALID_METHOD: (s) => s.post({ method: "taobao.pc.nothing" }),
  INVALID_FORMAT: (s) => s.post({ format: "yaml" }),
  MISSING_SIGNATURE: (s) => s.post({ sign: undefined }),
  INVALID_SIGNATURE: (s) => s.post({ sign: "0".repeat(32) }),
  MISSING_APP_KEY: (s) => s.post({ app_key: undefined }),
  INVALID_APP_KEY: (s) => s.post({ app_key: "999" }),
  MISSING_TIMESTAMP: (s) => s.post({ timestamp: undefined }),
  INVALID_TIMESTAMP: (s) => s.post({ timestamp: toTopTimestamp(NOW - 660_000) }),
  MISSING_VERSION: (s) => s.post({ v: undefined }),
  INVALID_VERSION: (s) => s.post({ v: "two" }),
  UNSUPPORTED_VERSION: (s) => s.post({ v: "1.0" }),
  MISSING_REQUIRED_ARGUMENTS: (s) => s.post({}, { refund_detail_order_req: '{"buyer_id":1}' }),
  INVALID_ARGUMENTS: (s) => s.post({}, { refund_detail_order_req: '{"dispute_id":"1","buyer_id":"abc"}' }),
  // The entity answers of a stateful mock: a return before the seller agreed, a return claimed for goods not received, a full store.
  NOT_ALLOWED_IN_STATE: () =>
    onStatefulMock({}, async (mock) => {
      const created = await mock.top.call("taobao.pc.refund.submit", { refund_agreement_order_req: APPLICATION });
      const disputeId = (created.data as { result: { refund_agreement_order_resp: { dispute_id: string } } }).result.refund_agreement_order_resp.dispute_id;
      return mock.top.call("taobao.pc.refund.return", { refund_return_goods_req: { dispute_id: disputeId, logistics_company_code: "SF", logistics_company_name: "顺丰速运", logistics_no: "SF1234567890", mobile_num: "13800138000", buyer_id: 10000001 } });
    }),
  BUSINESS_RULE_BROKEN: () => onStatefulMock({}, (mock) => mock.top.call("taobao.pc.refund.submit", { refund_agreement_order_req: { ...APPLICATION, biz_claim_type: 3, goods_status: 1 } })),
  STATE_UNAVAILABLE: () => onStatefulMock({ maxEntities: 0 }, (mock) => mock.top.call("taobao.pc.refund.submit", { refund_agreement_order_req: APPLICATION })),
};

/**
 * The sub codes TOP pairs with a code: its error-code page (40, 41 followed by `:<parameter>`; 15 with
 * isp.* for the backend) and real answers quoted in public client code (29). Written out here, apart
 * from the table, so that the table cannot drift from them unnoticed.
 */
const DOCUMENTED_SUB_CODES: Partial<Record<TopErrorName, string>> = {
  INVALID_APP_KEY: "isv.appkey-not-exists",
  MISSING_REQUIRED_ARGUMENTS: "isv.missing-parameter",
  INVALID_ARGUMENTS: "isv.invalid-parameter",
  REMOTE_SERVICE_ERROR: "isp.unknown-error",
};
/** The parameter each trigger above gets wrong, where TOP names it in the sub code. */
const PARAMETER: Partial<Record<TopErrorName, string>> = { MISSING_REQUIRED_ARGUMENTS: "dispute_id", INVALID_ARGUMENTS: "buyer_id" };

describe("TOP error table: sub codes", () => {
  it("has a request for every entry of the table", () => {
    expect(Object.keys(TRIGGERS).sort()).toEqual(Object.keys(TOP_ERRORS).sort());
  });

  for (const name of Object.keys(TOP_ERRORS) as TopErrorName[]) {
    const { code, msg } = TOP_ERRORS[name];
    it(`answers ${name} with code ${code}, its documented sub_code if TOP documents one, and never a sub_msg without a sub_code`, async () => {
      const res = await TRIGGERS[name](setup());
      expect(res.status).toBe(200);
      const error = readError(res);
      expect([Number(error.code), error.msg]).toEqual([code, msg]);
      const documented = DOCUMENTED_SUB_CODES[name];
      if (documented) expect(error.sub_code).toBe(PARAMETER[name] ? `${documented}:${PARAMETER[name]}` : documented);
      if (error.sub_msg !== undefined) expect(error.sub_code, `sub_msg "${error.sub_msg}" without a sub_code`).toMatch(/^is[pv]\.[\w.-]+(:[\w.-]+)?$/);
    });
  }

  it("names the parameter at fault in the mock's own sub codes", async () => {
    const s = setup();
    for (const [overrides, subCode] of [
      [{ sign_method: "sha1" }, "isv.invalid-parameter:sign_method"],
      [{ format: "yaml" }, "isv.invalid-parameter:format"],
      [{ v: "1.0" }, "isv.invalid-parameter:v"],
      [{ app_key: undefined }, "isv.missing-parameter:app_key"],
    ] as const) {
      expect(readError(await s.post(overrides)).sub_code, JSON.stringify(overrides)).toBe(subCode);
    }
  });

  it("marks the documented pairs as TOP's and every other sub code as the mock's own", () => {
    for (const name of Object.keys(TOP_ERRORS) as TopErrorName[]) {
      const entry: TopErrorEntry = TOP_ERRORS[name];
      if (DOCUMENTED_SUB_CODES[name]) expect([entry.subCode, entry.subCodeFrom], name).toEqual([DOCUMENTED_SUB_CODES[name], "top"]);
      else if (entry.subCode !== undefined) expect(entry.subCodeFrom, name).toBe("mock");
    }
  });
});

describe("TOP timestamp in the wrong time zone (code 31)", () => {
  /** What a TOP SDK on a UTC machine sends: the local (UTC) wall time, formatted as if it were GMT+8. */
  const utcWallTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

  it("says the offset it saw and that TOP expects GMT+8 when the timestamp is 8 h behind (a UTC clock)", async () => {
    const res = await setup().post({ timestamp: utcWallTime(NOW) });
    const error = readError(res);
    expect(error).toMatchObject({ code: 31, sub_code: "isv.invalid-parameter:timestamp" });
    expect(error.sub_msg).toContain("8 h 0 min 0 s behind the server time");
    expect(error.sub_msg).toContain("TOP expects GMT+8 (Asia/Shanghai), yyyy-MM-dd HH:mm:ss");
  });

  it("gives the same hint when the timestamp is 8 h off give or take the window, ahead or behind", async () => {
    for (const [skew, words] of [
      [-8 * HOUR - 240_000, "8 h 4 min 0 s behind"],
      [-8 * HOUR + 590_000, "7 h 50 min 10 s behind"],
      [8 * HOUR + 5_000, "8 h 0 min 5 s ahead of"],
    ] as const) {
      const error = readError(await setup().post({ timestamp: toTopTimestamp(NOW + skew) }));
      expect(error.code).toBe(31);
      expect(error.sub_msg).toContain(words);
      expect(error.sub_msg).toContain("TOP expects GMT+8 (Asia/Shanghai), yyyy-MM-dd HH:mm:ss");
    }
  });

  it("says the offset without the time-zone hint when it is not near a whole number of hours", async () => {
    const error = readError(await setup().post({ timestamp: toTopTimestamp(NOW - 660_000) }));
    expect(error.sub_msg).toContain("11 min 0 s behind the server time");
    expect(error.sub_msg).toContain("±600 s");
    expect(error.sub_msg).not.toContain("Asia/Shanghai");
  });

  it("accepts the same UTC wall time when the TOP window is widened with topWindowSeconds (the PandaPon window unchanged)", async () => {
    const config = toServeConfig({ windowSeconds: 60 }, readEnvSettings({ PANDAPON_MOCK_TOP_WINDOW_SECONDS: "30000" }));
    expect(config.mock).toMatchObject({ pandapon: { windowMs: 60_000 }, top: { windowMs: 30_000_000 } });
    expect(toServeConfig({ windowSeconds: 60 }).mock).toMatchObject({ pandapon: { windowMs: 60_000 }, top: { windowMs: 60_000 } });
    const { topParams } = setupMock();
    const app = createApp({ ...config.mock, now: () => NOW });
    const res = await request(app)
      .post("/router/rest")
      .type("form")
      .send(new URLSearchParams(topParams(REQ, { timestamp: utcWallTime(NOW) })).toString());
    expect(res.body.pc_refund_detail_response?.result?.success, res.text.slice(0, 300)).toBe(true);
  });
});

describe("TOP gateway path variants", () => {
  const VARIANTS = ["/router/rest/", "/Router/Rest", "/router/rest//", "/ROUTER/REST/"];

  for (const path of VARIANTS) {
    it(`answers ${path} in TOP's error shape (code 22, naming the gateway path), not a PandaPon 404`, async () => {
      const s = setup();
      const json = await s.post({}, REQ, path);
      expect(json.status).toBe(200);
      const error = readError(json);
      expect(error).toMatchObject({ code: 22, msg: "Invalid Method", sub_code: "isv.invalid-parameter:method" });
      expect(error.sub_msg).toContain(`the TOP gateway is at /router/rest`);
      expect(error.sub_msg).toContain(path);
      const xml = await request(s.app).get(path).query(s.topParams(REQ, { format: undefined }));
      expect(xml.headers["content-type"]).toMatch(/^text\/xml/);
      expect(readError(xml).code).toBe("22");
    });
  }

  it("answers a wrong HTTP method or an unreadable body on a variant path in TOP's shape too", async () => {
    const s = setup();
    expect(readError(await request(s.app).delete("/Router/Rest")).code).toBe("9");
    const gzip = await request(s.app).post("/router/rest/?format=json").set("content-encoding", "x-nope").type("form").send("a=1");
    expect(readError(gzip)).toMatchObject({ code: 41, sub_code: "isv.invalid-parameter" });
  });

  it("still answers PandaPon paths that merely start like the gateway with the PandaPon 404", async () => {
    const res = await request(setup().app).post("/router/restx").send({});
    expect([res.status, res.body.code]).toEqual([404, 40401]);
  });
});
