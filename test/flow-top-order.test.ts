import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopClient } from "../client/create-top-client.js";
import { DEMO_TOP } from "../protocol/demo.js";
import { startStatefulMock, topResultOf } from "./helpers/stateful-mock.js";

// The TOP 企业购 purchase order through /router/rest: taobao.pc.out.tower.order.create creates it,
// taobao.pc.order.detail shows it; payment, shipping and receipt are admin actions or timers.
// The create's documented answer (result.success, error_code) carries no id of the new order, so the
// test finds it where a user of the mock would: in the admin API's list of the app's orders.

const TENANT = DEMO_TOP.appKey;
const ITEMS = [
  { item_id: 612345678901, sku_id: 5123456789012, quantity: 2, unit_price: 12900 },
  { item_id: 623456789012, quantity: 1, unit_price: 4590 },
];
const ORDER = {
  buyer_nick: "张三",
  out_order_id: "PO20250514000123",
  contract_no: "HT202505140001",
  buyer_id: 2200012345,
  orders: [
    {
      items: ITEMS,
      address: { address_detail: "浙江省杭州市余杭区文一西路969号5号楼3层", consignee_name: "李娜", mobile_phone: "13812345678" },
      remark: "工作日送货",
      social_credit_code: "91330110MA27XY1234",
    },
  ],
};
const OTHER_APP = { appKey: "23456789", secret: "another-app-secret" };
const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

type SubOrder = Record<string, unknown> & { operations: { operation_code?: Array<{ code: string }> } };
type Order = { sub_order_details: { sub_order_detail_item: SubOrder[] }; pay_info: Record<string, unknown>; logistics?: { logistics?: Array<Record<string, unknown>> } };

let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock({ mock: { top: { apps: [{ ...DEMO_TOP }, OTHER_APP] } } });
});
afterAll(() => mock.stop());


const storedOrderIds = async () => (await mock.admin.entities.list({ type: "top-order", tenant: TENANT })).entities.map((e) => e.id);

/** Creates an order through the API; its id is the one order the admin list did not hold before. */
async function create(out_order_id: string): Promise<string> {
  const before = new Set(await storedOrderIds());
  const answer = await mock.top.call("taobao.pc.out.tower.order.create", { param: { ...ORDER, out_order_id } });
  expect(topResultOf(answer)).toEqual({ success: true, error_code: "200" });
  const added = (await storedOrderIds()).filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  expect(added[0]).toMatch(/^\d{19}$/);
  return added[0]!;
}

async function detail(orderId: string, format: "json" | "xml" = "json") {
  const top = format === "json" ? mock.top : createTopClient({ gateway: mock.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, format, retries: 0 });
  const answer = await top.call("taobao.pc.order.detail", { tp_request: { biz_order_id: orderId, buyer_id: ORDER.buyer_id } });
  return { order: topResultOf(answer).order_detail_item as Order, raw: answer.rawBody };
}

const statuses = (order: Order) => order.sub_order_details.sub_order_detail_item.map((s) => `${s.status}/${s.pay_status}/${s.logistics_status}`);
const codes = (order: Order) => order.sub_order_details.sub_order_detail_item.map((s) => (s.operations.operation_code ?? []).map((o) => o.code));

describe("TOP purchase order flow through /router/rest (stateful mock)", () => {
  it("create → detail shows the items and prices sent → pay → seller sends → buyer receives → success", async () => {
    const orderId = await create("PO20250514000123");

    for (const format of ["json", "xml"] as const) {
      const { order, raw } = await detail(orderId, format);
      // Every sub-order names the order (all 19 digits) as its parent; one sub-order per item sent, in order.
      expect(raw).toContain(format === "json" ? `"parent_id":"${orderId}"` : `<parent_id>${orderId}</parent_id>`);
      expect(order.sub_order_details.sub_order_detail_item).toEqual([
        expect.objectContaining({ parent_id: orderId, out_order_id: "PO20250514000123", item_id: 612345678901, sku_id: 5123456789012, item_price: 12900, buy_amount: 2, create_time: "2025-05-14 20:00:00" }),
        expect.objectContaining({ parent_id: orderId, out_order_id: "PO20250514000123", item_id: 623456789012, item_price: 4590, buy_amount: 1 }),
      ]);
      expect(order.sub_order_details.sub_order_detail_item[1]).not.toHaveProperty("sku_id");
      expect(order.pay_info).toMatchObject({ total_price: 2 * 12900 + 4590 });
      expect(order.pay_info).not.toHaveProperty("pay_time");
      expect(statuses(order)).toEqual(["2/1/8", "2/1/8"]);
    }
    const created = (await detail(orderId)).order;
    const subIds = created.sub_order_details.sub_order_detail_item.map((s) => s.biz_order_id);
    expect(new Set(subIds).size).toBe(2);

    // The buyer cannot confirm receipt of an unpaid order; the admin API says what is allowed.
    await expect(mock.admin.entities.act("top-order", orderId, "buyer-receive", { tenant: TENANT })).rejects.toMatchObject({ status: 409 });

    await mock.admin.entities.act("top-order", orderId, "pay", { tenant: TENANT });
    const paid = (await detail(orderId)).order;
    expect(statuses(paid)).toEqual(["2/2/1", "2/2/1"]);
    expect(paid.pay_info.pay_time).toMatch(DATETIME);
    expect(paid.sub_order_details.sub_order_detail_item.map((s) => s.pay_time)).toEqual([paid.pay_info.pay_time, paid.pay_info.pay_time]);
    expect(codes(paid)).toEqual([["APPLY_REFUND"], ["APPLY_REFUND"]]);

    await mock.admin.entities.act("top-order", orderId, "seller-send", { tenant: TENANT });
    const sent = (await detail(orderId)).order;
    expect(statuses(sent)).toEqual(["2/2/2", "2/2/2"]);
    const parcel = sent.logistics?.logistics?.[0];
    expect(parcel).toMatchObject({ cp_code: expect.any(String), cp_name: expect.any(String), mail_no: expect.stringMatching(/^7\d{13}$/), status_code: "TRANSPORT", consign_time: expect.stringMatching(DATETIME) });
    expect(codes(sent)[0]).toContain("CONFIRM_RECEIPT");

    await mock.admin.entities.act("top-order", orderId, "buyer-receive", { tenant: TENANT });
    const done = (await detail(orderId)).order;
    expect(statuses(done)).toEqual(["4/6/3", "4/6/3"]);
    expect(done.logistics?.logistics?.[0]).toMatchObject({ mail_no: parcel?.mail_no, status_code: "SIGN" });
    expect(done.sub_order_details.sub_order_detail_item.map((s) => typeof s.end_time)).toEqual(["string", "string"]);
    expect(codes(done)[0]).not.toContain("CONFIRM_RECEIPT");
    // What was sent never changes along the way.
    expect(done.sub_order_details.sub_order_detail_item.map((s) => [s.biz_order_id, s.item_id, s.item_price, s.buy_amount])).toEqual(
      created.sub_order_details.sub_order_detail_item.map((s) => [s.biz_order_id, s.item_id, s.item_price, s.buy_amount]),
    );
  });

  it("breaks of the create's rules are refused with isv.business-rule-broken, and nothing is stored", async () => {
    const before = await storedOrderIds();
    const twoOrders = await mock.top.call("taobao.pc.out.tower.order.create", { param: { ...ORDER, orders: [ORDER.orders[0], ORDER.orders[0]] } });
    // 当前仅支持单主单: the parameter table already allows one order only (code 41, before any rule).
    expect(twoOrders.apiError).toMatchObject({ code: "41", subCode: "isv.invalid-parameter:orders" });
    const noItems = await mock.top.call("taobao.pc.out.tower.order.create", { param: { ...ORDER, orders: [{ ...ORDER.orders[0], items: [] }] } });
    expect(noItems.apiError).toMatchObject({ code: "15", subCode: "isv.business-rule-broken" });
    expect(noItems.apiError?.subMsg).toMatch(/the order must have items/);
    const free = await mock.top.call("taobao.pc.out.tower.order.create", { param: { ...ORDER, orders: [{ ...ORDER.orders[0], items: [{ ...ITEMS[0], unit_price: 0 }] }] } });
    expect(free.apiError).toMatchObject({ code: "15", subCode: "isv.business-rule-broken" });
    expect(free.apiError?.subMsg).toMatch(/every item needs a quantity and a unit_price of at least 1/);
    expect(await storedOrderIds()).toEqual(before);
  });

  it("another app_key does not see the order", async () => {
    const orderId = await create("PO-TENANT-1");
    const other = createTopClient({ gateway: mock.url, ...OTHER_APP, retries: 0 });
    // The other app reads an order of that id nobody of it wrote: born, not the one created.
    const seen = await other.call("taobao.pc.order.detail", { tp_request: { biz_order_id: orderId, buyer_id: ORDER.buyer_id } });
    expect(topResultOf(seen)).toHaveProperty("order_detail_item");
    expect(seen.rawBody).not.toContain("PO-TENANT-1");
    expect((await mock.admin.entities.list({ type: "top-order", tenant: OTHER_APP.appKey })).entities).toEqual([]);
    expect((await detail(orderId)).order.sub_order_details.sub_order_detail_item[0]).toMatchObject({ out_order_id: "PO-TENANT-1" });
  });

  it("timers: an unpaid order closes after a day; a shipped one is received by itself after 10 days", async () => {
    const unpaid = await create("PO-UNPAID");
    const shipped = await create("PO-SHIPPED");
    await mock.admin.entities.act("top-order", shipped, "pay", { tenant: TENANT });
    await mock.admin.entities.act("top-order", shipped, "seller-send", { tenant: TENANT });

    await mock.admin.clock.advance(86400 - 1);
    expect(statuses((await detail(unpaid)).order)).toEqual(["2/1/8", "2/1/8"]);
    await mock.admin.clock.advance(1);
    const closed = (await detail(unpaid)).order;
    expect(statuses(closed)).toEqual(["2/8/8", "2/8/8"]);
    expect(closed.sub_order_details.sub_order_detail_item.map((s) => s.end_time)).toEqual(["2025-05-15 20:00:00", "2025-05-15 20:00:00"]);
    expect(statuses((await detail(shipped)).order)).toEqual(["2/2/2", "2/2/2"]);

    await mock.admin.clock.advance(9 * 86400);
    const received = (await detail(shipped)).order;
    expect(statuses(received)).toEqual(["4/6/3", "4/6/3"]);
    expect(received.sub_order_details.sub_order_detail_item.map((s) => s.end_time)).toEqual(["2025-05-24 20:00:00", "2025-05-24 20:00:00"]);
    expect((await mock.admin.entities.get("top-order", shipped, { tenant: TENANT })).history.map((h) => h.action)).toEqual(["create", "pay", "seller-send", "timeout-receive"]);
  });
});
