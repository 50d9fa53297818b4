import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { REFUND_APPLICATION } from "./helpers/flow-requests.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

const ORDER_ID = REFUND_APPLICATION.orderId;
const CREATE = REFUND_APPLICATION;
const RETURN = { refundId: "", logisticsCompanyNo: "SF", freightBill: "SF1234567890123", description: "已寄回" };
const OTHER_KEY = { accessKey: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", secret: "another-tenant-secret", developId: "1014533973088409999" };

type Refund = Record<string, unknown>;
let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock({ mock: { pandapon: { keys: [{ ...DEMO_PANDAPON, developId: "1014533973088404335" }, OTHER_KEY] } } });
});
afterAll(() => mock.stop());

const info = async (refundId: string) => {
  const answer = await mock.pandapon.call("/alibaba/refund/info", { refundId });
  expect(answer.status).toBe(200);
  // Warnings only: the 19-digit ids JSON.parse would round (the client reads them exactly).
  expect(answer.violations.filter((v) => v.severity !== "warning")).toEqual([]);
  return { data: answer.data as Refund, raw: answer.rawBody };
};
const log = (refund: Refund) => JSON.parse(refund.refundOperationList as string) as Array<Record<string, unknown>>;

describe("1688 refund flow through real HTTP (stateful mock)", () => {
  it("create → info shows what was sent → refused return → seller agrees → return → seller receives → success", async () => {
    const created = await mock.pandapon.call("/alibaba/refund/detail/create", CREATE);
    expect(created.status).toBe(200);
    const refundId = (created.data as { refundId: string }).refundId;
    expect(refundId).toMatch(/^TQ\d{17}$/);

    // What was sent, exactly (the 19-digit order id as its digits), in waitselleragree.
    const applied = await info(refundId);
    expect(applied.raw).toContain(`"orderId":${ORDER_ID}`);
    expect(applied.data).toMatchObject({
      refundId,
      status: "waitselleragree",
      applyPayment: 12345,
      applyCarriage: 800,
      applyReasonId: 20023,
      applyReason: "质量问题",
      refundGoods: true,
      onlyRefund: false,
      disputeRequest: 3,
      goodsStatus: 2,
      goodsReceived: true,
      refundPayment: 0,
      gmtCompleted: null,
      buyerSendGoods: false,
    });
    expect(applied.data.orderId).toBe(String(ORDER_ID));
    expect(applied.raw).toContain(`orderEntryIdList":"[${ORDER_ID + 1n}]"`);
    expect(log(applied.data)).toEqual([expect.objectContaining({ operateTypeInt: 1, discription: CREATE.description, vouchers: CREATE.vouchers, refundId })]);
    // Reading again answers the same.
    expect((await info(refundId)).raw.replace(/"requestId":"\w+"/, "")).toBe(applied.raw.replace(/"requestId":"\w+"/, ""));

    // The buyer cannot ship the return before the seller agreed: a business error, never a 200.
    const early = await mock.pandapon.call("/v2/alibaba/refund/goods/return", { ...RETURN, refundId });
    expect(early.status).toBe(409);
    expect(early.envelope).toMatchObject({ code: 40901, data: null });
    expect(String((early.envelope as { msg: string }).msg)).toMatch(/return-goods.*waitselleragree.*seller-agree/);

    const agreed = await mock.admin.entities.act("alibaba-refund", refundId, "seller-agree");
    expect(agreed.state).toBe("waitbuyersend");
    const waiting = await info(refundId);
    expect(waiting.data).toMatchObject({ status: "waitbuyersend", sellerReceiveAddress: expect.any(String), sellerRealName: expect.any(String) });

    const returned = await mock.pandapon.call("/v2/alibaba/refund/goods/return", { ...RETURN, refundId });
    expect(returned.status).toBe(200);
    const shipped = await info(refundId);
    expect(shipped.data).toMatchObject({ status: "waitsellerreceive", freightBill: RETURN.freightBill, buyerLogisticsName: "顺丰速运", buyerSendGoods: true, goodsStatus: 3 });

    await mock.admin.entities.act("alibaba-refund", refundId, "seller-receive");
    const done = await info(refundId);
    expect(done.data).toMatchObject({ status: "refundsuccess", refundPayment: 12345, refundCarriage: 800, gmtCompleted: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
    expect(log(done.data).map((e) => e.operateTypeInt)).toEqual([8, 10, 19, 1]);

    // A final refund takes no return any more.
    const late = await mock.pandapon.call("/alibaba/refund/goods/return", { ...RETURN, refundId });
    expect(late.status).toBe(409);
  });

  it("breaks of the create's business rules are refused with 400/40003 naming the rule, and nothing is stored", async () => {
    const before = (await mock.admin.entities.list({ type: "alibaba-refund" })).entities.length;
    const refused = await mock.pandapon.call("/alibaba/refund/detail/create", { ...CREATE, applyReasonId: 99999 });
    expect(refused.status).toBe(400);
    expect(refused.envelope).toMatchObject({ code: 40003, data: null });
    expect(String((refused.envelope as { msg: string }).msg)).toMatch(/applyReasonId is not a refund reason/);
    const notReceived = await mock.pandapon.call("/alibaba/refund/detail/create", { ...CREATE, goodsStatus: "refundWaitSellerSend" });
    expect(notReceived.status).toBe(400);
    expect((await mock.admin.entities.list({ type: "alibaba-refund" })).entities.length).toBe(before);
  });

  it("reads of ids nobody wrote answer coherent born refunds and never grow the store", async () => {
    const before = (await mock.admin.entities.list({})).entities.length;
    for (let n = 0; n < 20; n++) {
      const { data } = await info(`TQ${String(10_000_000_000_000_000n + BigInt(n) * 7919n)}`);
      expect(data.refundPayment === 0 || data.status === "refundsuccess").toBe(true);
      expect(data.gmtCompleted === null).toBe(!["refundsuccess", "refundclose"].includes(data.status as string));
      expect(data.onlyRefund).toBe(!data.refundGoods);
    }
    expect((await mock.admin.entities.list({})).entities.length).toBe(before);
  });

  it("one tenant never sees another's writes", async () => {
    const created = await mock.pandapon.call("/alibaba/refund/detail/create", CREATE);
    const refundId = (created.data as { refundId: string }).refundId;
    const other = createPandaponClient({ baseUrl: mock.url, accessKey: OTHER_KEY.accessKey, secret: OTHER_KEY.secret, userId: DEMO_PANDAPON.userId, retries: 0 });
    const seen = await other.call("/alibaba/refund/info", { refundId });
    expect(seen.status).toBe(200);
    expect(seen.rawBody).not.toContain(`"orderId":${ORDER_ID}`);
    // The other tenant's own create gets its own id sequence: it does not take over the first tenant's refund.
    const theirs = await other.call("/alibaba/refund/detail/create", { ...CREATE, applyPayment: 1 });
    const theirId = (theirs.data as { refundId: string }).refundId;
    expect((await info(refundId)).data.applyPayment).toBe(12345);
    expect(((await other.call("/alibaba/refund/info", { refundId: theirId })).data as Refund).applyPayment).toBe(1);
  });
});

describe("hostile ids on entity operations (stateful mock)", () => {
  it("answers an id too long to be one with 400 in the envelope, never a 5xx, and stores nothing", async () => {
    const before = (await mock.admin.entities.list({})).entities.length;
    for (const refundId of ["TQ" + "1".repeat(200), "x".repeat(100_000)]) {
      const answer = await mock.pandapon.call("/alibaba/refund/info", { refundId });
      expect(answer.status).toBe(400);
      expect(answer.envelope).toMatchObject({ code: 40002, data: null });
      expect(answer.rawBody.length).toBeLessThan(2000);
      const returned = await mock.pandapon.call("/v2/alibaba/refund/goods/return", { refundId, logisticsCompanyNo: "SF", freightBill: "SF1" });
      expect(returned.status).toBe(400);
    }
    expect((await mock.admin.entities.list({})).entities.length).toBe(before);
  });
});
