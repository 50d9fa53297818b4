import { describe, expect, it } from "vitest";
import { checkInvariants } from "../mock/state/check-invariants.js";
import type { EntityRecord } from "../mock/state/entity.js";
import { NOW, setupLifecycles, toTestId } from "./lifecycle-helpers.js";

const { lifecycles, birth } = setupLifecycles();

/** The first born entity of a type in one of these states (a fresh copy to break). */
function findBorn(type: string, states: string[]): EntityRecord {
  const lifecycle = lifecycles.get(type)!;
  for (let n = 0; n < 2000; n++) {
    const { record } = birth({ type, tenant: "tenant-invariants", id: toTestId(lifecycle, n) }, NOW);
    if (states.includes(record.state)) return structuredClone(record);
  }
  throw new Error(`no born ${type} in ${states.join(" or ")}`);
}

type Fields = Record<string, unknown>;

/** Issue 12's list: each incoherence a reviewer found, made on purpose, is caught by the invariant named. */
const ISSUE_12: Array<[string, string, string[], (f: Fields) => void, string]> = [
  ["money refunded while waiting for the seller", "alibaba-refund", ["waitselleragree"], (f) => void (f.refundPayment = 100), "money-refunded-only-on-success"],
  ["gmtCompleted on an open refund", "alibaba-refund", ["waitselleragree", "waitbuyersend"], (f) => void (f.gmtCompleted = f.gmtModified), "completed-exactly-in-final-states"],
  ["gmtCompleted missing on a finished refund", "alibaba-refund", ["refundsuccess", "refundclose"], (f) => void (f.gmtCompleted = null), "completed-exactly-in-final-states"],
  ["onlyRefund equal to refundGoods", "alibaba-refund", ["refundsuccess"], (f) => void (f.onlyRefund = f.refundGoods), "refund-only-or-return"],
  ["goodsStatus 2 (received) with goodsReceived false", "alibaba-refund", ["waitselleragree"], (f) => void Object.assign(f, { goodsStatus: 2, goodsReceived: false }), "goods-status-agrees"],
  ["a reject reason id without its text", "alibaba-refund", ["waitbuyermodify"], (f) => void (f.rejectReason = null), "rejection-with-reason"],
  ["a reject reason id with another reason's text", "alibaba-refund", ["waitbuyermodify"], (f) => void (f.rejectReason = "退货运单号无效" === f.rejectReason ? "未收到买家退回的商品" : "退货运单号无效"), "rejection-with-reason"],
  ["a key of orderEntryCountMap not in orderEntryIdList", "alibaba-refund", ["refundsuccess"], (f) => void (f.orderEntryCountMap = '{"1234567890123456789":1}'), "entry-counts-of-listed-entries"],
  ["an alipayPaymentId dated on the 41st day of a month", "alibaba-refund", ["refundsuccess"], (f) => void (f.alipayPaymentId = `2025034122001234567890123456`), "paid-on-a-real-day-before-the-refund"],
  ["a seller phone whose area code is another city's", "alibaba-refund", ["waitbuyersend"], (f) => void (f.sellerTel = String(f.sellerTel).startsWith("010-") ? "021-88886666" : "010-88886666"), "seller-phone-of-address-city"],
  ["a sub-reason of another reason", "alibaba-refund", ["refundsuccess"], (f) => void Object.assign(f, { applyReasonId: 20028, applyReason: "不想要了", applySubReasonId: 30103, applySubReason: "做工粗糙" }), "reason-with-its-text"],
  ["a TOP dispute with an end time while still open", "top-dispute", ["wait-seller-agree"], (f) => void (f.dispute_end_time = f.gmt_agreement_modified), "ended-exactly-in-final-states"],
  ["a TOP dispute refunding more than the item's total", "top-dispute", ["success"], (f) => void (f.refund_fee = (f.refund_item_v_o as Fields).total_fee as number + 1), "refund-within-the-item-total"],
  ["a 1688 order's payment URL after it was paid", "alibaba-order", ["success"], (f) => void (f.payUrl = "https://trade.1688.com/order/cashier.htm?orderId=1&payToken=x"), "pay-url-exactly-while-payable"],
  ["a TOP order total that is not the sum of its lines", "top-order", ["success"], (f) => void ((f.pay_info as Fields).total_price = 1), "total-is-the-sum-of-the-lines"],
];

describe("invariants catch each incoherence issue 12 lists", () => {
  for (const [problem, type, states, breakIt, invariant] of ISSUE_12) {
    it(`${type}: ${problem} breaks "${invariant}"`, () => {
      const record = findBorn(type, states);
      const lifecycle = lifecycles.get(type)!;
      expect(checkInvariants(lifecycle, record)).toEqual([]);
      breakIt(record.fields);
      expect(checkInvariants(lifecycle, record).map((v) => v.invariant)).toContain(invariant);
    });
  }
});

/** The Taobao order's invariants: each broken on purpose in a born order, caught by the invariant named. */
const TAOBAO_ORDER: Array<[string, string[], (f: Fields) => void, string]> = [
  ["an order without sub-orders", ["wait-send"], (f) => void (f.subOrders = []), "sub-orders-listed-once"],
  ["a sub-order listed twice", ["wait-send"], (f) => void (f.subOrders = [...(f.subOrders as Fields[]), ...(f.subOrders as Fields[])]), "sub-orders-listed-once"],
  ["a sub-order of quantity 0", ["success"], (f) => void ((f.subOrders as Fields[])[0]!.quantity = 0), "sub-orders-listed-once"],
  ["no close time on an unpaid order", ["wait-pay"], (f) => void delete (f.subOrders as Fields[])[0]!.close_time_without_payment, "close-time-exactly-while-unpaid"],
  ["a close time other than the unpaid order's deadline", ["wait-pay"], (f) => void ((f.subOrders as Fields[])[0]!.close_time_without_payment = "2025-05-14 20:00:00"), "close-time-exactly-while-unpaid"],
  ["a close time on a paid order", ["wait-send"], (f) => void ((f.subOrders as Fields[])[0]!.close_time_without_payment = "2025-05-14 20:00:00"), "close-time-exactly-while-unpaid"],
  ["a tracking number before shipping", ["wait-send"], (f) => void Object.assign((f.subOrders as Fields[])[0]!, { logistic_company_name: "中通快递", logistic_number: "73553150567004" }), "logistics-exactly-once-shipped"],
  ["a shipped order without a tracking number", ["success"], (f) => void delete (f.subOrders as Fields[])[0]!.logistic_number, "logistics-exactly-once-shipped"],
  ["a carrier no table knows", ["wait-receive"], (f) => void ((f.subOrders as Fields[])[0]!.logistic_company_name = "火星快递"), "logistics-exactly-once-shipped"],
  ["two parcels for one order", ["wait-receive"], (f) => void (f.subOrders = (f.subOrders as Fields[]).flatMap((s) => [s, { ...s, purchase_order_line_outer_id: "1", logistic_number: "70000000000001" }])), "logistics-exactly-once-shipped"],
  ["an amount in 分 instead of yuan", ["wait-send"], (f) => void ((f.subOrders as Fields[])[0]!.product_amount = "60729"), "amounts-in-yuan"],
  ["an amount of 0", ["success"], (f) => void ((f.subOrders as Fields[])[0]!.product_amount = "0.00"), "amounts-in-yuan"],
];

describe("the Taobao order's invariants catch each incoherence", () => {
  for (const [problem, states, breakIt, invariant] of TAOBAO_ORDER) {
    it(`${problem} breaks "${invariant}"`, () => {
      const record = findBorn("taobao-order", states);
      const lifecycle = lifecycles.get("taobao-order")!;
      expect(checkInvariants(lifecycle, record)).toEqual([]);
      breakIt(record.fields);
      expect(checkInvariants(lifecycle, record).map((v) => v.invariant)).toContain(invariant);
    });
  }
  it("breaks each of its invariants at least once above", () => {
    const named = new Set(TAOBAO_ORDER.map(([, , , invariant]) => invariant));
    expect([...named].sort()).toEqual(lifecycles.get("taobao-order")!.invariants.map((inv) => inv.name).sort());
  });
});

describe("the engine's own invariants", () => {
  const refunds = lifecycles.get("alibaba-refund")!;
  const cases: Array<[string, (r: EntityRecord) => void, string]> = [
    ["a state field that does not show the state", (r) => void (r.fields.status = "refundclose"), "state-field"],
    ["an id field that is not the id", (r) => void (r.fields.refundId = "TQ1"), "id-field"],
    ["a state the lifecycle does not know", (r) => void (r.state = "lost"), "known-state"],
    ["a timer of another state", (r) => void (r.timers = [{ action: "timeout-refund", at: NOW + 1 }]), "timers-of-state"],
    ["a history that goes back in time", (r) => void r.history.unshift({ at: NOW + 1, action: "create", from: null, to: "waitselleragree" }), "history-in-order"],
    ["a missing field the lifecycle owns", (r) => void delete r.fields.applyPayment, "owned-fields"],
  ];
  for (const [name, breakIt, invariant] of cases) {
    it(`names ${name} (${invariant})`, () => {
      const record = findBorn("alibaba-refund", ["waitselleragree"]);
      breakIt(record);
      expect(checkInvariants(refunds, record).map((v) => v.invariant)).toContain(invariant);
    });
  }
});
