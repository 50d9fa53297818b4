import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

const readExample = (path: string) => (JSON.parse(readFileSync(join(PACKAGE_ROOT, "schemas/examples", path), "utf8")) as { payload: Record<string, unknown> }).payload;
/** The documented rules' own examples (schemas/examples). */
const CART_ORDER = readExample("alibaba-cart-create-order/request.realistic.json");
const TAOBAO_ADD = readExample("open-cart-add/request.documented.json");
/** The cart's id: one cart per buyer, under the id schemas/lifecycles/alibaba-cart.json wires. */
const CART_ID = "1000000000";
const OTHER_KEY = { accessKey: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", secret: "another-tenant-secret", developId: "1014533973088409999" };

type Answer = Awaited<ReturnType<Awaited<ReturnType<typeof startStatefulMock>>["pandapon"]["call"]>>;
interface CartItem {
  id: number;
  quantity: number;
  amountOnSale: number;
}
interface Cart {
  enableList: Array<{ sellerOpenId: string; cartItemInfos: CartItem[] }>;
  disableList: Array<{ sellerOpenId: string; cartItemInfos: CartItem[] }>;
}

let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock({ mock: { pandapon: { keys: [{ ...DEMO_PANDAPON, developId: "1014533973088404335" }, OTHER_KEY] } } });
});
afterAll(() => mock.stop());

const ok = (answer: Answer) => {
  expect(answer.status, answer.rawBody.slice(0, 300)).toBe(200);
  expect(answer.violations.filter((v) => v.severity !== "warning")).toEqual([]);
  return answer;
};
/** A business refusal in the PandaPon envelope (the client reports the error itself as `api-error`). */
const refused = (answer: Answer, status: number, code: number, message: RegExp) => {
  expect(answer.status, answer.rawBody.slice(0, 300)).toBe(status);
  expect(answer.envelope).toMatchObject({ code, data: null });
  expect(answer.violations.filter((v) => v.severity !== "warning").map((v) => v.rule)).toEqual(["api-error"]);
  expect(String((answer.envelope as { msg: string }).msg)).toMatch(message);
};

const list = async () => ok(await mock.pandapon.call("/v2/alibaba/cart/list", {})).data as Cart;
const validItems = (cart: Cart) => cart.enableList.flatMap((shop) => shop.cartItemInfos);
const orderIds = async () => new Set((await mock.admin.entities.list({ type: "alibaba-order" })).entities.map((e) => e.id));

describe("1688 cart flow through real HTTP (stateful mock)", () => {
  it("list → edit quantity → list shows it → order from the cart → the items left the cart → an order exists", async () => {
    // Another seller's goods join the cart (adding items has no documented page: the admin API adds them).
    // (A born cart holds what its seeded walk left in it: shops are added until two valid items are in.)
    for (let shops = 0; shops < 5 && (shops === 0 || validItems(await list()).length < 2); shops++) await mock.admin.entities.act("alibaba-cart", CART_ID, "add-shop");
    const cart = await list();
    const items = validItems(cart);
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect((await list())).toEqual(cart);

    const [edited, ordered] = [items[0]!, items[items.length - 1]!];
    const quantity = edited.quantity === 1 ? 2 : edited.quantity - 1;
    expect(ok(await mock.pandapon.call("/alibaba/cart/edit-quantity", { id: edited.id, quantity })).data).toBe(true);
    const after = await list();
    expect(validItems(after).find((i) => i.id === edited.id)).toEqual({ ...edited, quantity });
    expect(validItems(after).filter((i) => i.id !== edited.id)).toEqual(items.filter((i) => i.id !== edited.id));

    const before = await orderIds();
    ok(await mock.pandapon.call("/alibaba/cart/create/order", { ...CART_ORDER, cartIds: [ordered.id] }));
    const left = validItems(await list());
    expect(left.map((i) => i.id)).toEqual(items.filter((i) => i.id !== ordered.id).map((i) => i.id));
    const created = (await mock.admin.entities.list({ type: "alibaba-order" })).entities.filter((e) => !before.has(e.id));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ state: "waitbuyerpay", history: [expect.objectContaining({ action: "create-from-cart" })] });
    const payUrl = ok(await mock.pandapon.call("/alibaba/order/pay/url", { orderId: created[0]!.id })).data as { payUrl: string };
    expect(payUrl.payUrl).toContain(`orderId=${created[0]!.id}&`);

    // The ordered item is gone: ordering it again is a broken rule, and no order is made.
    const again = await orderIds();
    refused(await mock.pandapon.call("/alibaba/cart/create/order", { ...CART_ORDER, cartIds: [ordered.id] }), 400, 40003, /cartIds must name valid items of the cart/);
    expect(await orderIds()).toEqual(again);
  });

  it("a quantity above the item's stock or an item not in the cart is refused with 400/40003 and changes nothing", async () => {
    const cart = await list();
    const item = validItems(cart)[0]!;
    refused(await mock.pandapon.call("/alibaba/cart/edit-quantity", { id: item.id, quantity: item.amountOnSale + 1 }), 400, 40003, /between 1 and the item's stock/);
    refused(await mock.pandapon.call("/alibaba/cart/edit-quantity", { id: 1999999999, quantity: 1 }), 400, 40003, /id must name a valid item/);
    expect(await list()).toEqual(cart);
  });

  it("each buyer (access key) has a cart of its own", async () => {
    const other = createPandaponClient({ baseUrl: mock.url, accessKey: OTHER_KEY.accessKey, secret: OTHER_KEY.secret, userId: DEMO_PANDAPON.userId, retries: 0 });
    const mine = validItems(await list()).map((i) => i.id);
    const theirs = ok(await other.call("/v2/alibaba/cart/list", {})).data as Cart;
    expect(validItems(theirs).map((i) => i.id).filter((id) => mine.includes(id))).toEqual([]);
    refused(await other.call("/alibaba/cart/edit-quantity", { id: mine[0], quantity: 1 }), 400, 40003, /id must name a valid item/);
  });
});

/** The documented example's address (both phones empty). */
const ORDER_ADDRESS = { zip: "11111", country: "中国", address: "测试地址", phone: "", mobile_phone: "", city: "杭州市", district: "余杭区", name: "a测试aa", state: "浙江省" };

describe("Taobao cart flow through real HTTP (stateful mock)", () => {
  const cartItems = async () => (await mock.admin.entities.list({ type: "taobao-cart-item" })).entities;
  /** Adds an item through the API; its answer carries no data (undocumented), so the admin API tells the new record id. */
  const add = async (changes: Record<string, unknown>): Promise<string> => {
    const before = new Set((await cartItems()).map((e) => e.id));
    ok(await mock.pandapon.call("/open/cart/add", { ...TAOBAO_ADD, ...changes }));
    const added = (await cartItems()).filter((e) => !before.has(e.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ state: "in-cart", fields: expect.objectContaining(changes) });
    return added[0]!.id;
  };
  const stateOf = async (id: string) => (await mock.admin.entities.get("taobao-cart-item", id)).state;

  it("add two items → order both → ordering again is refused (409/40901) and changes nothing", async () => {
    const a = await add({ mpSkuId: "2048000000000001", quantity: 2 });
    const b = await add({ mpSkuId: "2048000000000002", quantity: 5 });
    // Without an address the order it makes is refused, and the items stay in the cart (all is checked before anything is taken).
    refused(await mock.pandapon.call("/open/cart/create/order", { ids: [Number(a), Number(b)] }), 400, 40003, /orderAddress needs a name and an address/);
    expect([await stateOf(a), await stateOf(b)]).toEqual(["in-cart", "in-cart"]);
    ok(await mock.pandapon.call("/open/cart/create/order", { ids: [Number(a), Number(b)], orderAddress: ORDER_ADDRESS }));
    expect([await stateOf(a), await stateOf(b)]).toEqual(["ordered", "ordered"]);

    refused(await mock.pandapon.call("/open/cart/create/order", { ids: [Number(a)], orderAddress: ORDER_ADDRESS }), 409, 40901, /"order".*"ordered"/);
    // One ordered item in a batch leaves the others in the cart.
    const c = await add({ mpSkuId: "2048000000000003", quantity: 1 });
    refused(await mock.pandapon.call("/open/cart/create/order", { ids: [Number(c), Number(b)], orderAddress: ORDER_ADDRESS }), 409, 40901, /"ordered"/);
    expect(await stateOf(c)).toBe("in-cart");
  });

  it("an item above its SKU's stock is refused with 400/40003 and not added", async () => {
    const before = (await cartItems()).length;
    refused(await mock.pandapon.call("/open/cart/add", { ...TAOBAO_ADD, quantity: 95 }), 400, 40003, /skuQuantity/);
    expect((await cartItems()).length).toBe(before);
  });
});
