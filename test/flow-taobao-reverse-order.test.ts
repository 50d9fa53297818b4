import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStatefulMock } from "./helpers/stateful-mock.js";

const TYPE = "taobao-reverse-order";
const QUERY = "/v2/taobao/order/refund/query";
const CANCEL = "/open/order/refund/cancel/{refundId}";
const CANCEL_V2 = "/v2/taobao/order/refund/cancel/{refundId}";
const MESSAGE = "/open/order/refund/submit/message";
/** refundStatus of each state (the project's numbering, see the lifecycle's notes). */
const STATUS = { "wait-seller-agree": 1, "wait-buyer-return": 2, "wait-seller-confirm": 3, "seller-refused": 4, success: 5, closed: 6 } as const;

type Fields = Record<string, Record<string, unknown> | undefined>;
interface Aggregate {
  refundOrder: Record<string, unknown>;
  purchaseOrderLine: Record<string, unknown>;
  logistics?: Record<string, unknown>;
}

let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock();
});
afterAll(() => mock.stop());

/** A reverse order submitted through the admin API (the submission has no documented operation), of the refund type asked for. */
async function submit(refundType: 1 | 2) {
  for (let tries = 0; tries < 30; tries++) {
    const created = await mock.admin.entities.create(TYPE);
    if ((created.fields as Fields).refundOrder!.refundType === refundType) return created;
  }
  throw new Error(`no reverse order of refundType ${refundType} in 30 submissions`);
}

const query = async (refundId: string) => {
  const answer = await mock.pandapon.call(QUERY, { refundId });
  expect(answer.status).toBe(200);
  // Warnings only: the 19-digit ids JSON.parse would round.
  expect(answer.violations.filter((v) => v.severity !== "warning")).toEqual([]);
  return (answer.data as { refundOrderAggregate: Aggregate }).refundOrderAggregate;
};

const message = (refundId: string) => mock.pandapon.call(MESSAGE, { refundId, refundMessage: "请尽快处理", refundImages: "https://img.example.com/1.jpg" });

/** A refusal by state: 409/40901, naming the action, the state and what it allows. */
const expectRefusedIn = (answer: { status: number; envelope: unknown }, action: string, state: string) => {
  expect(answer.status).toBe(409);
  expect(answer.envelope).toMatchObject({ code: 40901, data: null });
  expect(String((answer.envelope as { msg: string }).msg)).toMatch(new RegExp(`"${action}".*"${state}"`));
};

/** What every reverse order shows, whatever its state (the lifecycle's invariants, read from the answer). */
function expectCoherent(aggregate: Aggregate) {
  const { refundOrder: r, purchaseOrderLine: line, logistics } = aggregate;
  const status = r.refundStatus as number;
  expect(Object.values(STATUS)).toContain(status);
  const running = status !== STATUS.success && status !== STATUS.closed;
  expect(r.timeoutType !== "").toBe(running);
  expect(r.timeoutDate !== "").toBe(running);
  expect(r.remainingTime !== "").toBe(running);
  expect(r.canEditFee).toBe(status === STATUS["wait-seller-agree"] || status === STATUS["seller-refused"]);
  expect(line.totalPrice).toBe((line.productFee as number) + (line.postFee as number));
  expect(line.productFee).toBe((line.price as number) * (line.quantity as number));
  expect(r.refundFee as number).toBeGreaterThanOrEqual(100);
  expect(r.refundFee as number).toBeLessThanOrEqual(line.totalPrice as number);
  expect(r.refundDesc).toContain(r.reasonDesc);
  expect(r.sellerRefuseReason === "").toBe(r.sellerRefuseReasonDescribe === "");
  if (status === STATUS["seller-refused"]) expect(r.sellerRefuseReason).not.toBe("");
  if (logistics) expect(r.refundType).toBe(2);
  if (status === STATUS["wait-buyer-return"] || status === STATUS["wait-seller-confirm"]) expect(logistics?.receiverAddress).toEqual(expect.any(String));
  if (r.refundType === 2) expect(r.goodsStatus).toBe(2);
}

describe("Taobao reverse order flow through real HTTP (stateful mock)", () => {
  it("submitted → the query shows it → a message → cancelled before the seller answers → the query shows it closed, and it takes nothing more", async () => {
    const submitted = await submit(1);
    const refundId = submitted.id;
    const fields = submitted.fields as Fields;
    expect(refundId).toMatch(/^1100\d{8}$/);

    const applied = await query(refundId);
    expect(applied.refundOrder).toMatchObject({ ...fields.refundOrder, refundId, refundStatus: STATUS["wait-seller-agree"], timeoutType: "SELLER_AGREE_TIMEOUT" });
    expect(applied.purchaseOrderLine).toMatchObject({ itemTitle: fields.purchaseOrderLine!.itemTitle, totalPrice: fields.purchaseOrderLine!.totalPrice });
    expect(applied.logistics).toBeUndefined();
    expectCoherent(applied);
    // Reading again answers the same refund.
    expect(await query(refundId)).toEqual(applied);

    const sent = await message(refundId);
    expect(sent.status).toBe(200);
    const afterMessage = await mock.admin.entities.get(TYPE, refundId);
    expect(afterMessage.state).toBe("wait-seller-agree");
    expect(afterMessage.history.map((h) => h.action)).toEqual(["create", "message"]);

    const cancelled = await mock.pandapon.call(CANCEL, { refundId });
    expect(cancelled.status).toBe(200);
    expect(cancelled.violations.filter((v) => v.severity !== "warning")).toEqual([]);
    const shown = cancelled.data as { cancelSuccess: boolean; refundOrderAggregate: { purchaseOrderLine: Record<string, unknown>; logistics?: unknown } };
    expect(shown.cancelSuccess).toBe(true);
    expect(shown.refundOrderAggregate.purchaseOrderLine).toMatchObject({
      itemTitle: fields.purchaseOrderLine!.itemTitle,
      postFee: fields.purchaseOrderLine!.postFee,
      createTime: fields.purchaseOrderLine!.createTime,
    });
    // A refund-only reverse order has no return logistics: the cancel's answer shows none.
    expect(shown.refundOrderAggregate.logistics).toBeUndefined();

    const closed = await query(refundId);
    expect(closed.refundOrder).toMatchObject({ refundStatus: STATUS.closed, timeoutType: "", timeoutDate: "", remainingTime: "", canEditFee: false, refundFee: fields.refundOrder!.refundFee });
    expectCoherent(closed);

    expectRefusedIn(await mock.pandapon.call(CANCEL, { refundId }), "cancel", "closed");
    expectRefusedIn(await message(refundId), "message", "closed");
    expect((await query(refundId)).refundOrder.refundStatus).toBe(STATUS.closed);
  });

  it("a return: agreed → the query shows the return address → returned → cancel refused (409/40901) once the goods are on their way → confirmed → success", async () => {
    const refundId = (await submit(2)).id;
    const agreed = await mock.admin.entities.act(TYPE, refundId, "seller-agree");
    expect(agreed.state).toBe("wait-buyer-return");
    const waiting = await query(refundId);
    const agreedLogistics = (agreed.fields as Fields).logistics!;
    expect(waiting.refundOrder).toMatchObject({ refundStatus: STATUS["wait-buyer-return"], timeoutType: "BUYER_RETURN_TIMEOUT", canEditFee: false });
    expect(waiting.logistics).toMatchObject({ receiverAddress: agreedLogistics.receiverAddress, logisticsCompany: { logisticsCompanyCode: "", logisticsCompanyName: "" } });
    expectCoherent(waiting);
    expect((await message(refundId)).status).toBe(200);

    const returned = await mock.admin.entities.act(TYPE, refundId, "buyer-return");
    expect(returned.state).toBe("wait-seller-confirm");
    const shipped = await query(refundId);
    const carrier = ((returned.fields as Fields).logistics!.logisticsCompany as Record<string, string>);
    expect(carrier.logisticsCompanyName).not.toBe("");
    expect(shipped.refundOrder.refundStatus).toBe(STATUS["wait-seller-confirm"]);
    expect(shipped.logistics).toMatchObject({ logisticsCompany: carrier, buyerPhone: expect.stringMatching(/^1\d{10}$/) });
    expectCoherent(shipped);
    expect((await message(refundId)).status).toBe(200);

    // The seller has the goods coming: the buyer can no longer cancel, on either path, and nothing changes.
    const refused = await mock.pandapon.call(CANCEL, { refundId });
    expectRefusedIn(refused, "cancel", "wait-seller-confirm");
    expect(String((refused.envelope as { msg: string }).msg)).toContain("(it allows seller-refuse, message, seller-confirm, timeout-refund, close).");
    expectRefusedIn(await mock.pandapon.call(CANCEL_V2, { refundId }), "cancel", "wait-seller-confirm");
    expect(await query(refundId)).toEqual(shipped);

    await mock.admin.entities.act(TYPE, refundId, "seller-confirm");
    const done = await query(refundId);
    expect(done.refundOrder).toMatchObject({ refundStatus: STATUS.success, timeoutType: "", timeoutDate: "" });
    expectCoherent(done);
    expectRefusedIn(await mock.pandapon.call(CANCEL, { refundId }), "cancel", "success");
    expectRefusedIn(await message(refundId), "message", "success");
  });

  it("cancel while the buyer is to return the goods: the answer shows the entity's return logistics under the cancel page's names", async () => {
    const refundId = (await submit(2)).id;
    const agreed = await mock.admin.entities.act(TYPE, refundId, "seller-agree");
    const logistics = (agreed.fields as Fields).logistics!;
    const cancelled = await mock.pandapon.call(CANCEL, { refundId });
    expect(cancelled.status).toBe(200);
    expect(cancelled.violations.filter((v) => v.severity !== "warning")).toEqual([]);
    expect((cancelled.data as { refundOrderAggregate: { logistics: unknown } }).refundOrderAggregate.logistics).toEqual({
      buyerPhone: "",
      logisticsCompany: { logisticCompanyCode: "", logisticsCompanyName: "" },
      receiverAddress: { detailAddress: logistics.receiverAddress },
      returnGoodsDesc: "",
      sellerAgreeReturnDescribe: logistics.sellerAgreeReturnDescribe,
    });
    expect((cancelled.data as { cancelSuccess: boolean }).cancelSuccess).toBe(true);
    const closed = await query(refundId);
    expect(closed.refundOrder.refundStatus).toBe(STATUS.closed);
    // The refund closed keeps the return address it had.
    expect(closed.logistics).toMatchObject({ receiverAddress: logistics.receiverAddress });
  });

  it("cancel through the v2 path after the seller refused: accepted, the query then shows closed", async () => {
    const refundId = (await submit(1)).id;
    const refused = await mock.admin.entities.act(TYPE, refundId, "seller-refuse");
    expect(refused.state).toBe("seller-refused");
    const shown = await query(refundId);
    expect(shown.refundOrder).toMatchObject({ refundStatus: STATUS["seller-refused"], timeoutType: "BUYER_MODIFY_TIMEOUT", canEditFee: true });
    expect(shown.refundOrder.sellerRefuseReason).not.toBe("");
    expectCoherent(shown);
    expect((await message(refundId)).status).toBe(200);
    const cancelled = await mock.pandapon.call(CANCEL_V2, { refundId });
    expect(cancelled.status).toBe(200);
    const closed = await query(refundId);
    // The refusal stays on the closed refund; the timer is gone.
    expect(closed.refundOrder).toMatchObject({ refundStatus: STATUS.closed, sellerRefuseReason: shown.refundOrder.sellerRefuseReason, timeoutType: "" });
    expectCoherent(closed);
  });

  it("a refund the seller leaves unanswered for 5 days is agreed by the clock; a refund-only one then succeeds and takes no cancel", async () => {
    const refundId = (await submit(1)).id;
    await mock.admin.clock.advance(5 * 86_400 + 1);
    const after = await query(refundId);
    expect(after.refundOrder.refundStatus).toBe(STATUS.success);
    expectCoherent(after);
    expectRefusedIn(await mock.pandapon.call(CANCEL, { refundId }), "cancel", "success");
  });

  it("ids nobody wrote answer coherent born reverse orders, the same twice, without growing the store; a cancel of one is taken or refused as its state says", async () => {
    const before = (await mock.admin.entities.list({})).entities.length;
    const born: Array<[string, Aggregate]> = [];
    for (let n = 0; n < 24; n++) {
      const refundId = `1100${String(10_000_000 + n * 3_917_011).slice(0, 8)}`;
      const aggregate = await query(refundId);
      expect(aggregate.refundOrder.refundId).toBe(refundId);
      expectCoherent(aggregate);
      expect(await query(refundId)).toEqual(aggregate);
      born.push([refundId, aggregate]);
    }
    expect(new Set(born.map(([, a]) => a.refundOrder.refundStatus)).size).toBeGreaterThan(2);
    expect((await mock.admin.entities.list({})).entities.length).toBe(before);

    let taken = 0;
    for (const [refundId, aggregate] of born.slice(0, 12)) {
      const status = aggregate.refundOrder.refundStatus as number;
      const cancellable = [STATUS["wait-seller-agree"], STATUS["wait-buyer-return"], STATUS["seller-refused"]].includes(status as 1);
      const cancelled = await mock.pandapon.call(CANCEL, { refundId });
      expect(cancelled.status).toBe(cancellable ? 200 : 409);
      const after = await query(refundId);
      expect(after.refundOrder.refundStatus).toBe(cancellable ? STATUS.closed : status);
      // The born refund, stored by its cancel, keeps what it was born with.
      expect(after.refundOrder.refundFee).toBe(aggregate.refundOrder.refundFee);
      expect(after.purchaseOrderLine).toEqual(aggregate.purchaseOrderLine);
      expectCoherent(after);
      if (cancellable) taken++;
    }
    expect((await mock.admin.entities.list({})).entities.length).toBe(before + taken);
  });
});
