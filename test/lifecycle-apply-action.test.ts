import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatChinaTime } from "../mock/generate/china-time.js";
import { applyAction, applyActionInPlace, toAllowedActions, type ActionStep } from "../mock/state/apply-action.js";
import { applyDueTimers } from "../mock/state/apply-due-timers.js";
import { checkInvariants } from "../mock/state/check-invariants.js";
import type { EntityRecord } from "../mock/state/entity.js";
import type { Lifecycle } from "../mock/state/lifecycle.js";
import { toJsonText } from "../protocol/json-wire.js";
import { NOW, SEED, setupLifecycles, toTestId } from "./lifecycle-helpers.js";
import { TAOBAO_ORDER } from "./helpers/flow-requests.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const { lifecycles } = setupLifecycles();
const refunds = lifecycles.get("alibaba-refund")!;
const TENANT = "58c0201dfdf148eca63cbf6bb5e7cf03";

/** The request of the documented 1688 createRefund example, as a return refund of goods received. */
const CREATE_RETURN = {
  orderId: 2542285634920880794n,
  orderEntryIds: [2542285634920880795n],
  disputeRequest: "returnRefund",
  applyPayment: 1,
  applyCarriage: 0,
  applyReasonId: 20021,
  description: "测试",
  goodsStatus: "refundBuyerReceived",
  orderEntryCountList: [{ id: 2542285634920880795n, count: 2 }],
};

function take(lifecycle: Lifecycle, target: EntityRecord | { tenant: string; id: string }, step: ActionStep): EntityRecord {
  const outcome = applyAction(lifecycle, target, step, SEED);
  if (!outcome.ok) throw new Error(`${step.action} refused: ${outcome.refusal.reason}`);
  return outcome.record;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** A 1688 return refund lived as in the documented operation log: apply, address, return, success. */
function liveDocumentedReturn() {
  const t = NOW - 10 * DAY;
  const created = take(refunds, { tenant: TENANT, id: "TQ8651493722961198" }, { action: "create", at: t, input: CREATE_RETURN });
  const agreed = take(refunds, created, { action: "seller-agree", at: t + HOUR });
  const returned = take(refunds, agreed, {
    action: "return-goods",
    at: t + 2 * HOUR,
    input: { refundId: "TQ8651493722961198", logisticsCompanyNo: "ZTO", freightBill: "12345134135435234", description: "asdada" },
  });
  const done = take(refunds, returned, { action: "seller-receive", at: t + 3 * DAY });
  return { t, created, agreed, returned, done };
}

describe("applyAction on the 1688 refund", () => {
  it("writes the operation log as the JSON text of its entries, newest first, at most 50, step after step", () => {
    let refund = take(refunds, { tenant: TENANT, id: "TQ8651493722961198" }, { action: "create", at: NOW - 60 * DAY, input: CREATE_RETURN });
    for (let i = 1; i <= 60; i++) {
      refund = take(refunds, refund, { action: refund.state === "waitselleragree" ? "seller-reject" : "buyer-modify", at: NOW - 60 * DAY + i * HOUR, input: { refundId: refund.id } });
      const text = refund.fields.refundOperationList as string;
      const log = JSON.parse(text) as Array<Record<string, unknown>>;
      expect(text).toBe(JSON.stringify(log));
      expect(log.length).toBe(Math.min(i + 1, 50));
      expect(log[0]!.gmtCreate).toBe(formatChinaTime(NOW - 60 * DAY + i * HOUR));
      if (i < 50) expect(log[log.length - 1]!.operateTypeInt).toBe(1);
    }
  });

  it("lives the documented return refund: statuses, money, goods, entries and the operation log newest first", () => {
    const { t, created, agreed, returned, done } = liveDocumentedReturn();
    expect([created, agreed, returned, done].map((r) => r.fields.status)).toEqual(["waitselleragree", "waitbuyersend", "waitsellerreceive", "refundsuccess"]);
    expect(created.fields).toMatchObject({ refundGoods: true, onlyRefund: false, disputeRequest: 3, goodsStatus: 2, goodsReceived: true, refundPayment: 0, id: 8651493722961198 });
    expect(created.fields.orderEntryIdList).toBe("[2542285634920880795]");
    expect(created.fields.orderEntryCountMap).toBe('{"2542285634920880795":2}');
    expect(agreed.fields.sellerReceiveAddress).toEqual(expect.any(String));
    expect(returned.fields).toMatchObject({ buyerSendGoods: true, goodsStatus: 3, freightBill: "12345134135435234", buyerLogisticsName: "中通快递" });
    expect(done.fields).toMatchObject({ refundPayment: 1, refundCarriage: 0, gmtCompleted: formatChinaTime(t + 3 * DAY), gmtTimeOut: null, timeOutOperateType: null });
    const log = JSON.parse(done.fields.refundOperationList as string) as Array<Record<string, unknown>>;
    expect(log.map((e) => e.operateTypeInt)).toEqual([8, 10, 19, 1]);
    expect(log.map((e) => e.afterOperateStatus)).toEqual(["waitsellerreceive", "waitbuyersend", "waitselleragree", undefined]);
    expect(Object.keys(log[3]!)).not.toContain("afterOperateStatus");
    expect(log[1]!.discription).toBe("买家声明退货，等待卖家确认。|物流公司：中通快递|物流单号：12345134135435234|说明：asdada|");
    expect(done.history.map((h) => [h.action, h.from, h.to])).toEqual([
      ["create", null, "waitselleragree"],
      ["seller-agree", "waitselleragree", "waitbuyersend"],
      ["return-goods", "waitbuyersend", "waitsellerreceive"],
      ["seller-receive", "waitsellerreceive", "refundsuccess"],
    ]);
    for (const record of [created, agreed, returned, done]) expect(checkInvariants(refunds, record)).toEqual([]);
  });

  it("refunds at once when the seller agrees to a refund without return", () => {
    const created = take(refunds, { tenant: TENANT, id: "TQ1" }, { action: "create", at: NOW, input: { ...CREATE_RETURN, disputeRequest: "refund", applyPayment: 990 } });
    const agreed = take(refunds, created, { action: "seller-agree", at: NOW + HOUR });
    expect(agreed.fields).toMatchObject({ status: "refundsuccess", refundPayment: 990, onlyRefund: true, sellerReceiveAddress: null, gmtCompleted: formatChinaTime(NOW + HOUR) });
    expect(JSON.parse(agreed.fields.refundOperationList as string)[0]).toMatchObject({ operateTypeInt: 8, operateRemark: "退款成功" });
  });

  it("refuses an action the state does not allow, naming the actions it allows, and changes nothing", () => {
    const created = deepFreeze(take(refunds, { tenant: TENANT, id: "TQ2" }, { action: "create", at: NOW, input: CREATE_RETURN }));
    const before = toJsonText(created);
    const outcome = applyAction(refunds, created, { action: "seller-receive", at: NOW + HOUR }, SEED);
    expect(outcome).toEqual({
      ok: false,
      refusal: {
        code: "not-allowed-in-state",
        action: "seller-receive",
        state: "waitselleragree",
        reason: '"seller-receive" is not allowed in the state "waitselleragree"',
        allowed: ["seller-agree", "timeout-agree", "seller-reject", "buyer-cancel", "close"],
      },
    });
    expect(toJsonText(created)).toBe(before);
  });

  it("refuses unknown actions, a second creation and actions on an entity not created, each with its code", () => {
    const created = take(refunds, { tenant: TENANT, id: "TQ3" }, { action: "create", at: NOW, input: CREATE_RETURN });
    const refusal = (target: EntityRecord | { tenant: string; id: string }, action: string) => {
      const outcome = applyAction(refunds, target, { action, at: NOW + HOUR, input: CREATE_RETURN }, SEED);
      return outcome.ok ? undefined : [outcome.refusal.code, outcome.refusal.allowed];
    };
    expect(refusal(created, "refund-twice")).toEqual(["unknown-action", toAllowedActions(refunds, "waitselleragree")]);
    expect(refusal(created, "create")).toEqual(["already-exists", toAllowedActions(refunds, "waitselleragree")]);
    expect(refusal({ tenant: TENANT, id: "TQ4" }, "seller-agree")).toEqual(["not-created", ["create"]]);
  });

  it("refuses requests its requirements reject, with the documented reason", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["return of goods not received", { goodsStatus: "refundWaitSellerSend" }, /只有已收到货/],
      ["unknown reason", { applyReasonId: 1 }, /5004/],
      ["zero amount", { applyPayment: 0 }, /5011/],
      ["count of a sub-order not listed", { orderEntryCountList: [{ id: 1n, count: 1 }] }, /5013/],
      ["unknown dispute request", { disputeRequest: "exchange" }, /disputeRequest/],
    ];
    for (const [name, change, reason] of cases) {
      const outcome = applyAction(refunds, { tenant: TENANT, id: "TQ5" }, { action: "create", at: NOW, input: { ...CREATE_RETURN, ...change } }, SEED);
      expect(outcome.ok, name).toBe(false);
      if (!outcome.ok) expect(outcome.refusal, name).toMatchObject({ code: "requirement-not-met", allowed: ["create"], reason: expect.stringMatching(reason) });
    }
    const { agreed } = liveDocumentedReturn();
    const outcome = applyAction(refunds, agreed, { action: "return-goods", at: NOW, input: { logisticsCompanyNo: "NOPE", freightBill: "1" } }, SEED);
    expect(outcome.ok ? undefined : outcome.refusal.reason).toMatch(/4004/);
  });

  it("does not change the record it is given (frozen records are taken as they are)", () => {
    const created = deepFreeze(take(refunds, { tenant: TENANT, id: "TQ6" }, { action: "create", at: NOW, input: CREATE_RETURN }));
    const before = toJsonText(created);
    const agreed = take(refunds, created, { action: "seller-agree", at: NOW + HOUR });
    expect(toJsonText(created)).toBe(before);
    expect(agreed.fields.status).toBe("waitbuyersend");
  });

  it("in place (a birth's walk): the record given becomes the one applyAction makes, and a refusal leaves it as it was", () => {
    const { t, done } = liveDocumentedReturn();
    const taken = [
      { action: "create", at: t, input: CREATE_RETURN },
      { action: "seller-agree", at: t + HOUR },
      { action: "return-goods", at: t + 2 * HOUR, input: { refundId: "TQ8651493722961198", logisticsCompanyNo: "ZTO", freightBill: "12345134135435234", description: "asdada" } },
      { action: "seller-receive", at: t + 3 * DAY },
    ];
    const created = applyActionInPlace(refunds, { tenant: TENANT, id: "TQ8651493722961198" }, taken[0]!, SEED);
    if (!created.ok) throw new Error(created.refusal.reason);
    const record = created.record;
    const agreed = applyActionInPlace(refunds, record, taken[1]!, SEED);
    expect(agreed.ok && agreed.record).toBe(record);
    const before = toJsonText(record);
    const refused = applyActionInPlace(refunds, record, { action: "seller-receive", at: t + HOUR }, SEED);
    expect(refused.ok).toBe(false);
    expect(toJsonText(record)).toBe(before);
    for (const step of taken.slice(2)) expect(applyActionInPlace(refunds, record, step, SEED).ok).toBe(true);
    expect(toJsonText(record)).toBe(toJsonText(done));
    expect(created.ok && "messages" in created).toBe(false);
  });

  it("fires a timeout exactly when it falls due, not a second before", () => {
    const created = take(refunds, { tenant: TENANT, id: "TQ7" }, { action: "create", at: NOW, input: CREATE_RETURN });
    const agreed = take(refunds, created, { action: "seller-agree", at: NOW + HOUR });
    const due = NOW + HOUR + 7 * DAY;
    expect(agreed.timers).toEqual([{ action: "timeout-close", at: due }]);
    expect(agreed.fields.gmtTimeOut).toBe(formatChinaTime(due));
    expect(applyDueTimers(refunds, agreed, due - 1000, SEED)).toBe(agreed);
    const closed = applyDueTimers(refunds, agreed, due + 30 * DAY, SEED);
    expect(closed.fields).toMatchObject({ status: "refundclose", gmtCompleted: formatChinaTime(due), gmtModified: formatChinaTime(due) });
    expect(closed.history.at(-1)).toEqual({ at: due, action: "timeout-close", from: "waitbuyersend", to: "refundclose" });
    expect(closed.timers).toEqual([]);
  });
});

describe("applyAction on the Taobao order", () => {
  const orders = lifecycles.get("taobao-order")!;
  const ORDER_ID = "1024285237573584051";
  const CREATE = TAOBAO_ORDER;
  const WAREHOUSE = { warehouseAddress: "广西省", warehouseName: "一号仓库", orderId: ORDER_ID };
  type SubOrder = Record<string, unknown>;
  const subOrdersOf = (r: EntityRecord) => r.fields.subOrders as SubOrder[];

  it("lives an order from /open/order to success: one sub-order per line, the close time while unpaid, one parcel once shipped", () => {
    const t = NOW - 20 * DAY;
    const created = take(orders, { tenant: TENANT, id: ORDER_ID }, { action: "create", at: t, input: CREATE });
    expect(created.state).toBe("wait-pay");
    expect(subOrdersOf(created).map((s) => [s.quantity, s.product_amount, s.close_time_without_payment])).toEqual([
      [200, "2.00", formatChinaTime(t + DAY)],
      [200, "2.00", formatChinaTime(t + DAY)],
    ]);
    // The warehouse update names the order and is taken before shipping; no field holds the warehouse, the timer runs on.
    const moved = take(orders, created, { action: "update-warehouse", at: t + HOUR, input: WAREHOUSE });
    expect([moved.state, moved.fields, moved.timers]).toEqual([created.state, created.fields, created.timers]);
    const cheaper = take(orders, moved, { action: "modify-price", at: t + 2 * HOUR });
    for (const [i, s] of subOrdersOf(cheaper).entries()) {
      expect(Number(s.product_amount)).toBeGreaterThanOrEqual(0.01);
      expect(Number(s.product_amount)).toBeLessThan(Number(subOrdersOf(moved)[i]!.product_amount));
    }
    const paid = take(orders, cheaper, { action: "pay", at: t + 3 * HOUR });
    expect(subOrdersOf(paid).some((s) => "close_time_without_payment" in s)).toBe(false);
    const stillMoved = take(orders, paid, { action: "update-warehouse", at: t + 4 * HOUR, input: WAREHOUSE });
    expect(stillMoved.state).toBe("wait-send");
    const sent = take(orders, stillMoved, { action: "seller-send", at: t + DAY });
    const parcels = new Set(subOrdersOf(sent).map((s) => `${String(s.logistic_company_name)} ${String(s.logistic_number)}`));
    expect(parcels.size).toBe(1);
    expect([...parcels][0]).toMatch(/^\S+ 7\d{13}$/);
    const late = applyAction(orders, sent, { action: "update-warehouse", at: t + DAY + HOUR, input: WAREHOUSE }, SEED);
    expect(late.ok ? null : [late.refusal.code, late.refusal.allowed]).toEqual(["not-allowed-in-state", ["confirm-receipt", "timeout-receive"]]);
    expect(applyDueTimers(orders, sent, t + 11 * DAY - 1, SEED).state).toBe("wait-receive");
    const done = applyDueTimers(orders, sent, t + 11 * DAY, SEED);
    expect([done.state, done.history.at(-1)!.action]).toEqual(["success", "timeout-receive"]);
    for (const record of [created, moved, cheaper, paid, stillMoved, sent, done]) expect(checkInvariants(orders, record)).toEqual([]);
  });

  it("closes an order left unpaid for a day", () => {
    const created = take(orders, { tenant: TENANT, id: ORDER_ID }, { action: "create", at: NOW, input: CREATE });
    expect(applyDueTimers(orders, created, NOW + DAY - 1, SEED).state).toBe("wait-pay");
    const closed = applyDueTimers(orders, created, NOW + DAY, SEED);
    expect(closed.state).toBe("closed");
    expect(subOrdersOf(closed).some((s) => "close_time_without_payment" in s)).toBe(false);
  });

  it("creates an order from the Taobao cart: one sub-order per cart record, to the address sent", () => {
    const input = { ids: [75, 76], orderAddress: { zip: "11111", country: "中国", address: "测试地址", phone: "", mobile_phone: "", city: "杭州市", district: "余杭区", name: "a测试aa", state: "浙江省" }, userId: "2100007340000" };
    // The documented example leaves both phones empty: taken as it is; an address without a receiver's name is not.
    const refused = applyAction(orders, { tenant: TENANT, id: ORDER_ID }, { action: "create-from-cart", at: NOW, input: { ...input, orderAddress: { ...input.orderAddress, name: "" } } }, SEED);
    expect(refused.ok ? null : refused.refusal.reason).toMatch(/orderAddress needs a name and an address/);
    const created = take(orders, { tenant: TENANT, id: ORDER_ID }, { action: "create-from-cart", at: NOW, input });
    expect(subOrdersOf(created)).toHaveLength(2);
    expect(checkInvariants(orders, created)).toEqual([]);
  });

  const refusals: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["a budget below the lines", CREATE, "purchaseAmount", /purchaseAmount \(预算金额, 分\) must cover the order lines/],
    ["no lines", CREATE, "orderLineList", /orderLineList must be JSON text of a non-empty list/],
    ["a line of quantity 0", CREATE, "orderLineList", /every order line needs an itemId, a quantity of at least 1/],
    ["a receiver without a phone", CREATE, "receiver", /receiver must be JSON text of an address with name, address and a phone/],
    ["a line too dear to count exactly", CREATE, "orderLineList", /price × quantity at most 10\^12 分/],
  ];
  const changed: Record<string, unknown> = {
    "a budget below the lines": 399,
    "no lines": "[]",
    "a line of quantity 0": '[{"itemId":"600126245031041190","orderLineNo":"1","quantity":"0","price":"1","currency":"CNY","skuId":"5016042822039"}]',
    "a receiver without a phone": '{"address":"测试地址","phone":"","mobile_phone":"","name":"a测试aa"}',
    "a line too dear to count exactly": '[{"itemId":"600126245031041190","orderLineNo":"1","quantity":"99999999999","price":"99999999999","currency":"CNY","skuId":"5016042822039"}]',
  };
  for (const [name, base, member, reason] of refusals) {
    it(`refuses to create an order with ${name}`, () => {
      const outcome = applyAction(orders, { tenant: TENANT, id: ORDER_ID }, { action: "create", at: NOW, input: { ...base, [member]: changed[name] } }, SEED);
      expect(outcome.ok ? null : [outcome.refusal.code, outcome.refusal.reason]).toEqual(["requirement-not-met", expect.stringMatching(reason)]);
    });
  }

  it("refuses a warehouse update that names another order", () => {
    const created = take(orders, { tenant: TENANT, id: ORDER_ID }, { action: "create", at: NOW, input: CREATE });
    const outcome = applyAction(orders, created, { action: "update-warehouse", at: NOW + HOUR, input: { ...WAREHOUSE, orderId: "1024285237573584052" } }, SEED);
    expect(outcome.ok ? null : outcome.refusal.reason).toBe("orderId must name the order");
  });
});

describe("random action sequences never break an invariant", () => {
  for (const lifecycle of lifecycles.values()) {
    it(`${lifecycle.type}: any actions in any order, at any times, with generated requests`, () => {
      const { producer } = setupLifecycles();
      const names = [...lifecycle.actions.keys()];
      const inputOf = (name: string, variant: number) => {
        const operation = lifecycle.actions.get(name)!.operations[0];
        return operation ? producer.produceRequest(operation, variant) : undefined;
      };
      const create = (n: number): EntityRecord => {
        for (let variant = 0; variant < 40; variant++) {
          for (const action of [...lifecycle.actions.values()].filter((a) => a.from === null)) {
            const outcome = applyAction(lifecycle, { tenant: "t", id: toTestId(lifecycle, n) }, { action: action.name, at: NOW, input: inputOf(action.name, n * 40 + variant) }, SEED);
            if (outcome.ok) return outcome.record;
          }
        }
        throw new Error(`no generated request creates a ${lifecycle.type}`);
      };
      const step = fc.record({ pick: fc.nat(), delay: fc.integer({ min: 0, max: 12 * DAY }), variant: fc.nat({ max: 1000 }) });
      fc.assert(
        fc.property(fc.nat({ max: 50 }), fc.array(step, { maxLength: 14 }), (n, steps) => {
          let record = create(n);
          let at = NOW;
          for (const { pick, delay, variant } of steps) {
            at += delay;
            record = applyDueTimers(lifecycle, record, at, SEED);
            expect(checkInvariants(lifecycle, record)).toEqual([]);
            const action = names[pick % names.length]!;
            const outcome = applyAction(lifecycle, record, { action, at, input: inputOf(action, variant) }, SEED);
            if (outcome.ok) record = outcome.record;
            else expect(outcome.refusal.allowed).toEqual(toAllowedActions(lifecycle, record.state));
            expect(checkInvariants(lifecycle, record), `${action} → ${record.state}: ${toJsonText(record.fields)}`).toEqual([]);
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});
