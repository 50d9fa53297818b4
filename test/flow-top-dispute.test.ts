import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallResult } from "../client/call-result.js";
import type { TopClient } from "../client/create-top-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { DEMO_TOP } from "../protocol/demo.js";
import { startStatefulMock, topResultOf } from "./helpers/stateful-mock.js";

// The TOP 企业购 dispute (逆向单) through /router/rest with the signing client, in JSON and in XML:
// taobao.pc.refund.submit applies (or, with a dispute_id, modifies), taobao.pc.refund.detail shows the
// stored dispute, taobao.pc.refund.return sends the goods back; the seller acts through the admin API.

/** 19 digits: beyond what a JSON number keeps, so "exact" means every digit. */
const ORDER_ID = "4012345678901234567";
const BUYER_ID = 2200012345;
const APPLY = {
  biz_order_id: ORDER_ID,
  out_biz_id: "RMA-20250514-0001",
  biz_claim_type: 3,
  leave_message_content: "杯盖有裂痕，申请退货退款",
  refund_fee: 12345,
  apply_refund_text_id: 100503,
  goods_status: 2,
  refund_message_pic_v_o_list: [{ message_pic: "https://img.example.com/crack-1.jpg", message_pic_desc: "裂痕" }],
  buyer_id: BUYER_ID,
};
const RETURN = {
  logistics_company_code: "SF",
  logistics_company_name: "顺丰速运",
  logistics_no: "SF1401234567890",
  mobile_num: "13812345678",
  leave_message_content: "原包装寄回",
  buyer_id: BUYER_ID,
};
const OTHER_APP = { appKey: "23456789", secret: "another-app-secret" };
const TENANT = DEMO_TOP.appKey;
const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

type Dispute = Record<string, unknown> & { refund_message_v_o_list: { refund_message_vo: Array<Record<string, unknown>> } };

let mock: Awaited<ReturnType<typeof startStatefulMock>>;
let clients: Record<"json" | "xml", TopClient>;
beforeAll(async () => {
  mock = await startStatefulMock({ mock: { top: { apps: [{ ...DEMO_TOP }, OTHER_APP] } } });
  clients = {
    json: mock.top,
    xml: createTopClient({ gateway: mock.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, format: "xml", retries: 0 }),
  };
});
afterAll(() => mock.stop());


/** A refusal: error_response code 15 with the sub_code, never a success. */
function expectRefused(answer: CallResult, subCode: string, subMsg: RegExp): void {
  expect(answer.status).toBe(200);
  expect(answer.data).toBeUndefined();
  expect(answer.apiError).toMatchObject({ code: "15", msg: "Remote service error", subCode });
  expect(answer.apiError?.subMsg).toMatch(subMsg);
}

describe.each(["json", "xml"] as const)("TOP dispute flow through /router/rest (format=%s)", (format) => {
  const top = () => clients[format];
  const submit = (req: Record<string, unknown>) => top().call("taobao.pc.refund.submit", { refund_agreement_order_req: req });
  const giveBack = (disputeId: string, req: Record<string, unknown> = RETURN) => top().call("taobao.pc.refund.return", { refund_return_goods_req: { ...req, dispute_id: disputeId } });
  const detail = async (disputeId: string) => {
    const answer = await top().call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: disputeId, buyer_id: BUYER_ID } });
    const result = topResultOf(answer);
    expect(result).toMatchObject({ success: true, error_code: "200" });
    return { dispute: result.refund_dispute_order_resp as Dispute, raw: answer.rawBody };
  };
  const apply = async (req: Record<string, unknown> = APPLY) => {
    const resp = topResultOf(await submit(req)).refund_agreement_order_resp as { dispute_id: string; biz_order_id: string };
    expect(resp.dispute_id).toMatch(/^\d{16}$/);
    expect(resp.biz_order_id).toBe(req.biz_order_id);
    return resp.dispute_id;
  };

  it("submit → detail shows what was sent → return refused → seller agrees → return → seller confirms → success", async () => {
    const disputeId = await apply();

    // Exactly what was sent, in dispute_status 1 (waiting for the seller), the order id with every digit.
    const applied = await detail(disputeId);
    expect(applied.raw).toContain(format === "json" ? `"biz_order_id":"${ORDER_ID}"` : `<biz_order_id>${ORDER_ID}</biz_order_id>`);
    expect(applied.dispute).toMatchObject({
      dispute_id: disputeId,
      biz_order_id: ORDER_ID,
      out_biz_id: APPLY.out_biz_id,
      dispute_status: 1,
      biz_dispute_claim_type: 3,
      goods_needs: 1,
      goods_status: 2,
      dispute_type: 2,
      refund_fee: 12345,
      dispute_reason_id: 100503,
      dispute_reason_text: "质量问题",
      dispute_desc: APPLY.leave_message_content,
      gmt_create: "2025-05-14 20:00:00",
      // The seller has 5 days to answer.
      dispute_timeout: "2025-05-19 20:00:00",
      cs_status: 1,
      proof_status: 0,
    });
    expect(applied.dispute).not.toHaveProperty("dispute_end_time");
    expect(applied.dispute).not.toHaveProperty("logistic_info_v_o");
    expect(applied.dispute.refund_message_v_o_list.refund_message_vo).toEqual([
      { leave_message_content: APPLY.leave_message_content, refund_message_pic_v_o_list: { refund_message_pic_vo: APPLY.refund_message_pic_v_o_list } },
    ]);
    const item = applied.dispute.refund_item_v_o as Record<string, number>;
    expect(item.total_fee).toBe(item.item_price! * item.buy_amount!);
    expect(item.total_fee).toBeGreaterThanOrEqual(12345);
    // Reading again answers the same dispute.
    expect((await detail(disputeId)).dispute).toEqual(applied.dispute);

    // The goods cannot go back before the seller agreed.
    expectRefused(await giveBack(disputeId), "isv.status-not-allowed", /"buyer-return" is not allowed in the state "wait-seller-agree" \(it allows seller-agree/);
    expect((await detail(disputeId)).dispute).toMatchObject({ dispute_status: 1, goods_status: 2 });

    const agreed = await mock.admin.entities.act("top-dispute", disputeId, "seller-agree", { tenant: TENANT });
    expect(agreed.state).toBe("wait-buyer-return");
    const waiting = (await detail(disputeId)).dispute;
    expect(waiting).toMatchObject({ dispute_status: 2, goods_status: 2, logistic_info_v_o: { goods_status: 2, seller_address: expect.any(String), seller_real_name: expect.any(String) } });
    expect(waiting.logistic_info_v_o).not.toHaveProperty("logistics_no");

    expect(topResultOf(await giveBack(disputeId))).toMatchObject({ success: true, error_code: "200" });
    const sent = (await detail(disputeId)).dispute;
    expect(sent).toMatchObject({
      dispute_status: 3,
      goods_status: 3,
      logistic_info_v_o: { goods_status: 3, logistics_company_code: "SF", logistics_company_name: "顺丰速运", logistics_no: "SF1401234567890" },
    });
    // Oldest first: the application, then the return's message.
    expect(sent.refund_message_v_o_list.refund_message_vo.map((m) => m.leave_message_content)).toEqual([APPLY.leave_message_content, RETURN.leave_message_content]);
    expect(sent).not.toHaveProperty("dispute_end_time");

    await mock.admin.entities.act("top-dispute", disputeId, "seller-confirm", { tenant: TENANT });
    const done = (await detail(disputeId)).dispute;
    expect(done).toMatchObject({ dispute_status: 5, goods_status: 5, refund_fee: 12345, dispute_end_time: expect.stringMatching(DATETIME), logistic_info_v_o: { goods_status: 5, logistics_no: "SF1401234567890" } });

    // A dispute that succeeded takes no return any more.
    expectRefused(await giveBack(disputeId), "isv.status-not-allowed", /state "success"/);
  });

  it("a refused dispute is modified through submit with its dispute_id, and only then", async () => {
    const disputeId = await apply({ ...APPLY, biz_claim_type: 1, goods_status: 1, apply_refund_text_id: 100505, leave_message_content: "一直没收到", refund_message_pic_v_o_list: [] });
    expect((await detail(disputeId)).dispute).toMatchObject({ dispute_status: 1, biz_dispute_claim_type: 1, goods_needs: 0, goods_status: 1, dispute_type: 1, dispute_reason_text: "快递一直未送到" });
    const modify = { ...APPLY, dispute_id: disputeId, biz_claim_type: 1, goods_status: 1, refund_fee: 9000, apply_refund_text_id: 100501, leave_message_content: "不要了，少退一点" };

    // Not refused yet: nothing to modify.
    expectRefused(await submit(modify), "isv.status-not-allowed", /"buyer-modify" is not allowed in the state "wait-seller-agree"/);

    await mock.admin.entities.act("top-dispute", disputeId, "seller-refuse", { tenant: TENANT });
    expect((await detail(disputeId)).dispute).toMatchObject({ dispute_status: 6 });

    // A modification keeps the claim.
    expectRefused(await submit({ ...modify, biz_claim_type: 3, goods_status: 2 }), "isv.business-rule-broken", /a modification keeps the claim \(biz_claim_type\)/);
    const resp = topResultOf(await submit(modify)).refund_agreement_order_resp;
    expect(resp).toEqual({ dispute_id: disputeId, biz_order_id: ORDER_ID });

    const modified = (await detail(disputeId)).dispute;
    expect(modified).toMatchObject({ dispute_id: disputeId, dispute_status: 1, refund_fee: 9000, dispute_reason_id: 100501, dispute_reason_text: "不想要了", dispute_desc: modify.leave_message_content });
    expect(modified.refund_message_v_o_list.refund_message_vo.map((m) => m.leave_message_content)).toEqual(["一直没收到", modify.leave_message_content]);
    // The seller now agrees: no return was claimed, so the refund succeeds at once.
    await mock.admin.entities.act("top-dispute", disputeId, "seller-agree", { tenant: TENANT });
    expect((await detail(disputeId)).dispute).toMatchObject({ dispute_status: 5, dispute_end_time: expect.stringMatching(DATETIME) });
  });

  it("breaks of the application's rules are refused with isv.business-rule-broken naming the rule, and nothing is stored", async () => {
    const before = (await mock.admin.entities.list({ type: "top-dispute" })).entities.length;
    expectRefused(await submit({ ...APPLY, goods_status: 1 }), "isv.business-rule-broken", /goods can be returned \(biz_claim_type 3\) only once received \(goods_status 2\)/);
    expectRefused(await submit({ ...APPLY, apply_refund_text_id: 999999 }), "isv.business-rule-broken", /apply_refund_text_id is not a reason of the render page/);
    // A value the parameter table does not allow is refused before any rule: code 41, the parameter named.
    const invalid = await submit({ ...APPLY, biz_claim_type: 2 });
    expect(invalid.apiError).toMatchObject({ code: "41", msg: "Invalid Arguments", subCode: "isv.invalid-parameter:biz_claim_type" });
    expect((await mock.admin.entities.list({ type: "top-dispute" })).entities.length).toBe(before);
  });
});

describe("TOP disputes belong to one app_key", () => {
  it("another app never sees, returns or modifies the first app's dispute, and gets its own", async () => {
    const created = await mock.top.call("taobao.pc.refund.submit", { refund_agreement_order_req: APPLY });
    const disputeId = topResultOf(created).refund_agreement_order_resp as { dispute_id: string };
    const id = disputeId.dispute_id;
    await mock.admin.entities.act("top-dispute", id, "seller-agree", { tenant: TENANT });
    const other = createTopClient({ gateway: mock.url, ...OTHER_APP, retries: 0 });

    // The other app reads a dispute nobody of it wrote: born, not the first app's.
    const seen = await other.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: id, buyer_id: BUYER_ID } });
    const theirView = topResultOf(seen).refund_dispute_order_resp as Record<string, unknown>;
    expect(theirView.dispute_id).toBe(id);
    expect(seen.rawBody).not.toContain(ORDER_ID);
    expect(seen.rawBody).not.toContain(APPLY.out_biz_id);
    expect((await mock.admin.entities.list({ type: "top-dispute", tenant: OTHER_APP.appKey })).entities).toEqual([]);

    // Its own application is its own.
    const theirs = await other.call("taobao.pc.refund.submit", { refund_agreement_order_req: { ...APPLY, biz_order_id: "4099999999999999999", refund_fee: 1 } });
    const theirId = (topResultOf(theirs).refund_agreement_order_resp as { dispute_id: string }).dispute_id;
    const listed = (await mock.admin.entities.list({ type: "top-dispute", tenant: OTHER_APP.appKey })).entities;
    expect(listed.map((e) => [e.id, e.fields.biz_order_id])).toEqual([[theirId, "4099999999999999999"]]);

    // Whatever the other app's return on that id does, it does to its own dispute of that id.
    await other.call("taobao.pc.refund.return", { refund_return_goods_req: { ...RETURN, dispute_id: id, logistics_no: "YT0000000000001" } });

    // The first app's dispute is unchanged by anything the other app did.
    const mine = await mock.top.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: id, buyer_id: BUYER_ID } });
    expect(topResultOf(mine).refund_dispute_order_resp).toMatchObject({ dispute_id: id, biz_order_id: ORDER_ID, refund_fee: 12345, dispute_status: 2 });
    expect(JSON.stringify(mine.data)).not.toContain("YT0000000000001");
    const mineAsAdmin = await mock.admin.entities.get("top-dispute", id, { tenant: TENANT });
    expect(mineAsAdmin).toMatchObject({ stored: true, state: "wait-buyer-return", version: 2 });
  });
});

describe("TOP dispute timers (the virtual clock moved through the admin API)", () => {
  it("a seller who does not answer in 5 days agrees by timeout; the buyer then has 7 days to send the goods back", async () => {
    const created = await mock.top.call("taobao.pc.refund.submit", { refund_agreement_order_req: APPLY });
    const id = (topResultOf(created).refund_agreement_order_resp as { dispute_id: string }).dispute_id;
    const read = async () => topResultOf(await mock.top.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: id, buyer_id: BUYER_ID } })).refund_dispute_order_resp as Dispute;
    const applied = await read();
    expect(applied).toMatchObject({ dispute_status: 1, dispute_timeout: "2025-05-19 20:00:00" });

    await mock.admin.clock.advance(5 * 86400 - 1);
    expect(await read()).toMatchObject({ dispute_status: 1 });
    await mock.admin.clock.advance(1);
    const timedOut = await read();
    expect(timedOut).toMatchObject({ dispute_status: 2, gmt_agreement_modified: "2025-05-19 20:00:00", dispute_timeout: "2025-05-26 20:00:00", logistic_info_v_o: { goods_status: 2 } });
    expect((await mock.admin.entities.get("top-dispute", id, { tenant: TENANT })).history.map((h) => h.action)).toEqual(["create", "timeout-agree"]);

    await mock.admin.clock.advance(7 * 86400);
    expect(await read()).toMatchObject({ dispute_status: 4, dispute_end_time: "2025-05-26 20:00:00" });
  });
});
