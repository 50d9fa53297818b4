import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LosslessNumber } from "lossless-json";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ClientError } from "../client/client-error.js";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import type { AlibabaRefundInfoResponse, OperationTypes } from "../generated/index.js";
import { loadCatalog } from "../schemas/catalog.js";
import { verifyTopSignature } from "../signing/verify.js";

const NOW = 1715669977082;
const NONCE = "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b";
const OK_BODY = `{"requestId":"r1","code":200,"developId":"1014533973088404335","msg":"成功","data":{"refundId":"TQ1","orderId":2123456789012345678}}`;

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records what is sent and answers from a script (a Response, an Error to throw, or "hang"). */
function setup(script: Array<Response | Error | "hang"> = []) {
  const sent: Sent[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({
      url: String(url),
      method: String(init?.method),
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body === undefined ? undefined : String(init.body),
    });
    const next = script.shift() ?? new Response(OK_BODY, { status: 200, headers: { "content-type": "application/json" } });
    if (next === "hang") {
      return new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    }
    if (next instanceof Error) throw next;
    return next;
  };
  let tick = 0;
  let nonces = 0;
  const pandapon = (overrides = {}) =>
    createPandaponClient({
      baseUrl: "http://api.test/",
      ...DEMO_PANDAPON,
      fetch: fetch as typeof globalThis.fetch,
      now: () => NOW + tick++,
      nonce: () => `${NONCE.slice(0, 30)}${String(nonces++).padStart(2, "0")}`,
      retryDelayMs: 1,
      ...overrides,
    });
  const top = (overrides = {}) =>
    createTopClient({ gateway: "http://gw.test", ...DEMO_TOP, fetch: fetch as typeof globalThis.fetch, now: () => NOW, retryDelayMs: 1, ...overrides });
  return { sent, pandapon, top, fetch: fetch as typeof globalThis.fetch };
}

function networkError(): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
}

describe("createPandaponClient", () => {
  it("signs the system headers exactly as the docs/protocols.md vector", async () => {
    const { sent, pandapon } = setup();
    await pandapon({ now: () => NOW, nonce: () => NONCE }).call("/alibaba/refund/info", { refundId: "TQ1" });
    expect(sent[0]).toMatchObject({ url: "http://api.test/alibaba/refund/info", method: "POST", body: `{"refundId":"TQ1"}` });
    expect(sent[0]!.headers).toMatchObject({
      "access-key": DEMO_PANDAPON.accessKey,
      timestamp: "1715669977082",
      "nonce-str": NONCE,
      "user-id": DEMO_PANDAPON.userId,
      signature: "D6CCD0D67408AAAD87050EA7E30EFAB7",
      "content-type": "application/json; charset=utf-8",
    });
  });

  it("signs a warehouse operation in the query: timestamp and sign, with only access-key and nonce-str as headers", async () => {
    const { sent, pandapon } = setup();
    await pandapon({ now: () => NOW, nonce: () => NONCE }).call("/open/pp/logistics/updateLogisticInfo", { logisticInfos: [] });
    expect(sent[0]!.url).toBe("http://api.test/open/pp/logistics/updateLogisticInfo?timestamp=1715669977082&sign=D6CCD0D67408AAAD87050EA7E30EFAB7");
    expect(sent[0]!.headers).toEqual({
      "access-key": DEMO_PANDAPON.accessKey,
      "nonce-str": NONCE,
      accept: "application/json",
      "content-type": "application/json; charset=utf-8",
    });
  });

  it("signs without nonce-str when told not to send it", async () => {
    const { sent, pandapon } = setup();
    await pandapon({ now: () => NOW, sendNonce: false }).call("/alibaba/refund/info", { refundId: "TQ1" });
    expect(sent[0]!.headers["nonce-str"]).toBeUndefined();
    expect(sent[0]!.headers.signature).toBe("9B2B441EFD068A7BCD9263D1FFFAB027");
  });

  it("sends a fresh timestamp and nonce with every call", async () => {
    const { sent, pandapon } = setup();
    const client = pandapon();
    await client.call("/alibaba/refund/info", { refundId: "TQ1" });
    await client.call("/alibaba/refund/info", { refundId: "TQ1" });
    expect(sent[0]!.headers.timestamp).not.toBe(sent[1]!.headers.timestamp);
    expect(sent[0]!.headers["nonce-str"]).not.toBe(sent[1]!.headers["nonce-str"]);
    expect(sent[0]!.headers.signature).not.toBe(sent[1]!.headers.signature);
  });

  it("returns the parsed envelope with big integers as exact strings, the raw body and no violations", async () => {
    const { pandapon } = setup();
    const result = await pandapon().call("/alibaba/refund/info", { refundId: "TQ1" });
    expect(result.status).toBe(200);
    expect(result.rawBody).toBe(OK_BODY);
    expect(result.envelope).toMatchObject({ code: 200, data: { orderId: "2123456789012345678" } });
    expect(result.data).toEqual({ refundId: "TQ1", orderId: "2123456789012345678" });
    expect(result.violations.map((v) => `${v.path} ${v.rule}`)).toEqual(["data.orderId precision"]);
  });

  it("returns big integers as bigint when asked", async () => {
    const { pandapon } = setup();
    const result = await pandapon({ bigIntegers: "bigint" }).call("/alibaba/refund/info", { refundId: "TQ1" });
    expect((result.data as { orderId: unknown }).orderId).toBe(2123456789012345678n);
  });

  it("sends a 19-digit id in the JSON body with every digit", async () => {
    const { sent, pandapon } = setup();
    const client = pandapon();
    await client.call("/alibaba/refund/info", { refundId: "TQ1", orderId: new LosslessNumber("2123456789012345678") });
    await client.call("/alibaba/refund/info", { refundId: "TQ1", orderId: 2123456789012345678n });
    expect(sent.map((s) => s.body)).toEqual([
      `{"refundId":"TQ1","orderId":2123456789012345678}`,
      `{"refundId":"TQ1","orderId":2123456789012345678}`,
    ]);
  });

  it("fills path parameters and sends a GET payload as a query string", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contracts-client-"));
    mkdirSync(join(dir, "pandapon"));
    writeFileSync(
      join(dir, "pandapon", "test-cancel.json"),
      JSON.stringify({
        $schema: "http://json-schema.org/draft-07/schema#",
        $id: "https://pandapon-mock.dev/schemas/pandapon/test-cancel.json",
        "x-operation": {
          api: "pandapon", name: "/test/refund/cancel/{refundId}", method: "GET", path: "/test/refund/cancel/{refundId}",
          group: "test", summary: "test", docUrl: "-", coverage: "full", requestIn: "query", envelope: "pandapon",
        },
        definitions: {
          Request: { type: "object", required: ["refundId"], properties: { refundId: { type: "string" }, reason: { type: "string" } } },
          Data: { type: "object", properties: {} },
        },
      }),
    );
    const { sent, pandapon } = setup();
    await pandapon({ catalog: loadCatalog(dir) }).call("/test/refund/cancel/{refundId}", { refundId: "TQ 1/2", reason: "买错了" });
    expect(sent[0]).toMatchObject({ method: "GET", body: undefined });
    expect(sent[0]!.url).toBe(`http://api.test/test/refund/cancel/TQ%201%2F2?reason=${encodeURIComponent("买错了")}`);
    await expect(pandapon({ catalog: loadCatalog(dir) }).call("/test/refund/cancel/{refundId}", {})).rejects.toThrow(
      'the path parameter "refundId" is missing',
    );
  });

  it("returns the API's error with its HTTP status, without retrying", async () => {
    const body = `{"requestId":"r2","code":401,"developId":null,"msg":"Invalid signature","data":null}`;
    const { sent, pandapon } = setup([new Response(body, { status: 401 })]);
    const result = await pandapon().call("/alibaba/refund/info", { refundId: "TQ1" });
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({ status: 401, data: undefined, apiError: { code: "401", msg: "Invalid signature" }, attempts: 1 });
  });

  it("retries a network error with a fresh signature, up to the bounded count", async () => {
    const { sent, pandapon } = setup([networkError(), networkError()]);
    const result = await pandapon({ retries: 2 }).call("/alibaba/refund/info", { refundId: "TQ1" });
    expect(result.attempts).toBe(3);
    expect(new Set(sent.map((s) => s.headers["nonce-str"])).size).toBe(3);
  });

  it("gives up after the retries with a ClientError naming the call and the reason", async () => {
    const { sent, pandapon } = setup([networkError(), networkError(), networkError()]);
    const error = await pandapon({ retries: 1 }).call("/alibaba/refund/info", { refundId: "TQ1" }).catch((e: unknown) => e);
    expect(sent).toHaveLength(2);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: "network", context: { attempts: 2 } });
    expect((error as Error).message).toBe(
      'Failed to call "POST http://api.test/alibaba/refund/info": connect ECONNREFUSED 127.0.0.1:9 (2 attempts).',
    );
    expect((error as Error).message).not.toContain(DEMO_PANDAPON.secret);
  });

  it("times out a call that does not answer", async () => {
    const { pandapon } = setup(["hang"]);
    const error = await pandapon({ timeoutMs: 50, retries: 0 }).call("/alibaba/refund/info", { refundId: "TQ1" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ClientError", code: "timeout" });
    expect((error as Error).message).toContain("timed out after 50 ms (1 attempt)");
  });

  it("resolves with a parse violation for an answer nested thousands of levels deep (it threw a RangeError)", async () => {
    const deep = `{"code":200,"data":${"[".repeat(3_000)}${"]".repeat(3_000)}}`;
    const { pandapon } = setup([new Response(deep, { headers: { "content-type": "application/json" } })]);
    const result = await pandapon().call("/alibaba/refund/info", { refundId: "TQ1" });
    expect(result.violations).toMatchObject([{ rule: "parse", message: expect.stringContaining("is nested deeper than 256 levels") }]);
    expect(result.rawBody).toBe(deep);
  });

  it("types payloads and answers with the generated OperationTypes", async () => {
    const { fetch } = setup();
    const client = createPandaponClient<OperationTypes>({ baseUrl: "http://api.test", ...DEMO_PANDAPON, fetch });
    const result = await client.call("/alibaba/refund/info", { refundId: "TQ1" });
    expectTypeOf(result.envelope).toEqualTypeOf<AlibabaRefundInfoResponse>();
    // @ts-expect-error refundId is a string in the docs
    await client.call("/alibaba/refund/info", { refundId: 1 });
    expect(result.envelope.code).toBe(200);
  });

  it("refuses an operation of another API", async () => {
    const { pandapon } = setup();
    await expect(pandapon().call("taobao.pc.refund.detail", {})).rejects.toThrow("is a top operation");
  });
});

describe("createTopClient", () => {
  it("signs a form-encoded call as signTop, with a GMT+8 timestamp and structs as JSON text", async () => {
    const { sent, top } = setup([new Response(`{"pc_refund_detail_response":{"request_id":"x"}}`)]);
    await top().call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: "1", buyer_id: new LosslessNumber("22123456789012345678") } });
    expect(sent[0]).toMatchObject({ url: "http://gw.test/router/rest", method: "POST" });
    expect(sent[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded;charset=utf-8");
    const params = Object.fromEntries(new URLSearchParams(sent[0]!.body));
    expect(params).toMatchObject({
      method: "taobao.pc.refund.detail",
      app_key: DEMO_TOP.appKey,
      timestamp: "2024-05-14 14:59:37",
      v: "2.0",
      sign_method: "md5",
      format: "json",
      refund_detail_order_req: `{"dispute_id":"1","buyer_id":22123456789012345678}`,
    });
    expect(verifyTopSignature(params, DEMO_TOP.secret, "md5")).toEqual({ ok: true });
  });

  it("signs with hmac-sha256 when asked", async () => {
    const { sent, top } = setup([new Response(`{"pc_refund_detail_response":{}}`)]);
    await top({ signMethod: "hmac-sha256" }).call("taobao.pc.refund.detail", {});
    const params = Object.fromEntries(new URLSearchParams(sent[0]!.body));
    expect(params.sign_method).toBe("hmac-sha256");
    expect(verifyTopSignature(params, DEMO_TOP.secret, "hmac-sha256")).toEqual({ ok: true });
  });

  it("reads an XML answer into the JSON shape of the same answer", async () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><pc_refund_detail_response><result><success>true</success><refund_dispute_order_resp><refund_fee>350</refund_fee></refund_dispute_order_resp></result><request_id>x</request_id></pc_refund_detail_response>`;
    const { sent, top } = setup([new Response(xml, { headers: { "content-type": "text/xml;charset=utf-8" } })]);
    const result = await top({ format: "xml" }).call("taobao.pc.refund.detail", {});
    expect(new URLSearchParams(sent[0]!.body).get("format")).toBe("xml");
    expect(result.data).toEqual({ result: { success: true, refund_dispute_order_resp: { refund_fee: 350 } }, request_id: "x" });
    expect(result.violations).toEqual([]);
  });

  it("returns a TOP error_response as the API's error", async () => {
    const body = `{"error_response":{"code":25,"msg":"Invalid signature","sub_code":"isv.invalid-signature","request_id":"x"}}`;
    const { top } = setup([new Response(body)]);
    const result = await top().call("taobao.pc.refund.detail", {});
    expect(result.apiError).toMatchObject({ code: "25", msg: "Invalid signature", subCode: "isv.invalid-signature" });
    expect(result.data).toBeUndefined();
  });
});
