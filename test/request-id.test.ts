import request from "supertest";
import { describe, expect, it } from "vitest";
import { getCore } from "../mock/app.js";
import { toJsonText } from "../protocol/json-wire.js";
import { NOW, setupMock } from "./helpers/mock-setup.js";

const INFO = "/alibaba/refund/info";
const BODY = '{"refundId":"TQ1"}';
const TOP = "/router/rest";
const REFUND_REQ = JSON.stringify({ dispute_id: "10000001", buyer_id: 10000001 });

/** A mock whose data generations are counted, and a way to send a PandaPon request byte for byte. */
function setup(options: Parameters<typeof setupMock>[0] = {}) {
  const mock = setupMock(options);
  const core = getCore(mock.app);
  let generated = 0;
  const produce = core.producer.produceAnswer;
  core.producer.produceAnswer = (...args) => {
    generated += 1;
    return produce(...args);
  };
  const send = async (headers: Record<string, string>, body = BODY, target = INFO) => {
    const res = await request(mock.app).post(target).set(headers).set("content-type", "application/json").send(body);
    expect(res.body.code, res.text.slice(0, 200)).toBe(200);
    return { requestId: res.body.requestId as string, data: JSON.stringify(res.body.data) };
  };
  return { ...mock, send, readGenerated: () => generated };
}

describe("PandaPon requestId", () => {
  it("differs for the same body sent with other nonces and timestamps, while the data is generated once and shared", async () => {
    const { send, pandaponHeaders, readGenerated } = setup();
    const answers = [];
    for (const timestamp of [NOW, NOW + 1, NOW + 2, NOW + 3]) answers.push(await send(pandaponHeaders({ timestamp: String(timestamp) })));
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(4);
    for (const { requestId } of answers) expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(answers.map((a) => a.data)).size).toBe(1);
    // Generated on the first and second sight, answered from the cache after that.
    expect(readGenerated()).toBe(2);
  });

  it("is the same for the same request bytes: a request without nonce sent twice, and one request on two mocks of the same seed", async () => {
    const a = setup({ seed: 7 });
    const b = setup({ seed: 7 });
    const unsigned = a.pandaponHeaders({ "nonce-str": undefined });
    expect((await a.send(unsigned)).requestId).toBe((await a.send(unsigned)).requestId);
    const headers = a.pandaponHeaders();
    expect((await a.send(headers)).requestId).toBe((await b.send(headers)).requestId);
    const otherSeed = setup({ seed: 8 });
    expect((await otherSeed.send(headers)).requestId).not.toBe((await b.send(b.pandaponHeaders({ "nonce-str": undefined }))).requestId);
  });

  it("changes with every part of the signed request: path, query, each system header, body bytes", async () => {
    // Signatures unchecked, so one header can change alone; no nonce-str sent twice, so no replay is refused.
    const { send } = setup({ verifySignatures: false });
    const headers = { "access-key": "k", timestamp: String(NOW), "user-id": "1", signature: "S" };
    const variants: Array<[string, Record<string, string>, string, string]> = [
      ["as is", headers, BODY, INFO],
      ["other access-key", { ...headers, "access-key": "k2" }, BODY, INFO],
      ["other timestamp", { ...headers, timestamp: String(NOW + 1) }, BODY, INFO],
      ["a nonce-str", { ...headers, "nonce-str": "n".repeat(32) }, BODY, INFO],
      ["other user-id", { ...headers, "user-id": "2" }, BODY, INFO],
      ["other signature", { ...headers, signature: "T" }, BODY, INFO],
      ["same JSON, other bytes", headers, '{ "refundId": "TQ1" }', INFO],
      ["a query string", headers, BODY, `${INFO}?x=1`],
    ];
    const ids = new Map<string, string>();
    for (const [name, h, body, target] of variants) {
      const answer = await send(h, body, target);
      ids.set(answer.requestId, name);
    }
    expect([...ids.values()]).toEqual(variants.map(([name]) => name));
  });

  it("differs between the two paths of one operation, with the same data", async () => {
    const { send, app } = setup({ verifySignatures: false });
    const core = getCore(app);
    const body = toJsonText(core.producer.produceRequest(core.catalog.find("/alibaba/refund/detail/create")!));
    const headers = { "access-key": "k", timestamp: String(NOW), "user-id": "1", signature: "S" };
    const [v1, v2] = [await send(headers, body, "/alibaba/refund/detail/create"), await send(headers, body, "/v2/alibaba/refund/detail/create")];
    expect(v1.data).toBe(v2.data);
    expect(v1.requestId).not.toBe(v2.requestId);
  });
});

describe("TOP request_id", () => {
  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

  /** The request_id of an answer, read from its JSON or its XML. */
  function setupTop() {
    const mock = setupMock();
    const ask = async (params: Record<string, string>) => {
      const res = await request(mock.app).post(TOP).type("form").send(form(params));
      const id = params.format === "json" ? res.body.pc_refund_detail_response?.request_id : /<request_id>(\w+)<\/request_id><\/pc_refund_detail_response>$/.exec(res.text)?.[1];
      expect(id, res.text.slice(0, 200)).toMatch(/^\w+$/);
      return id as string;
    };
    return { ...mock, ask };
  }

  for (const format of ["json", "xml"]) {
    it(`differs for the same parameters signed at another timestamp, and is the same for the same bytes (${format})`, async () => {
      const { ask, topParams } = setupTop();
      const first = topParams({ refund_detail_order_req: REFUND_REQ }, { format });
      const later = topParams({ refund_detail_order_req: REFUND_REQ }, { format, timestamp: "2025-05-14 20:00:01" });
      expect(later.sign).not.toBe(first.sign);
      const id = await ask(first);
      expect(await ask(first)).toBe(id);
      expect(await ask(later)).not.toBe(id);
    });
  }

  it("differs between the same parameters sent in a GET query and in a POST body", async () => {
    const { app, topParams } = setupMock();
    const params = form(topParams({ refund_detail_order_req: REFUND_REQ }, { format: "json" }));
    const viaGet = await request(app).get(`${TOP}?${params}`);
    const viaPost = await request(app).post(TOP).type("form").send(params);
    expect(viaGet.body.pc_refund_detail_response.request_id).toMatch(/^\w+$/);
    expect(viaPost.body.pc_refund_detail_response.request_id).not.toBe(viaGet.body.pc_refund_detail_response.request_id);
  });
});
