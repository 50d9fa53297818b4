import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAOBAO_ORDER } from "./helpers/flow-requests.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

const CREATE = TAOBAO_ORDER;
const WAREHOUSE = { warehouseName: "义乌前置仓", warehouseAddress: "浙江省金华市义乌市稠江街道1号" };
type Answer = Awaited<ReturnType<Awaited<ReturnType<typeof startStatefulMock>>["pandapon"]["call"]>>;

let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock();
});
afterAll(() => mock.stop());

const orders = async () => (await mock.admin.entities.list({ type: "taobao-order" })).entities;
const status = (answer: Answer) => [answer.status, (answer.envelope as { code: number }).code];

describe("Taobao order flow through real HTTP (stateful mock)", () => {
  it("create → warehouse changed while unpaid and unshipped → refused once shipped; a broken order is refused and not stored", async () => {
    const before = new Set((await orders()).map((o) => o.id));
    const created = await mock.pandapon.call("/open/order", CREATE);
    expect(status(created), created.rawBody.slice(0, 300)).toEqual([200, 200]);
    // The create answer is not documented: the new order's id comes from the admin API.
    const made = (await orders()).filter((o) => !before.has(o.id));
    expect(made).toHaveLength(1);
    const orderId = made[0]!.id;
    expect(made[0]).toMatchObject({ state: "wait-pay", stored: true });

    expect(status(await mock.pandapon.call("/open/order/updateWarehouse", { orderId, ...WAREHOUSE }))).toEqual([200, 200]);
    await mock.admin.entities.act("taobao-order", orderId, "pay");
    expect(status(await mock.pandapon.call("/open/order/updateWarehouse", { orderId, ...WAREHOUSE }))).toEqual([200, 200]);
    await mock.admin.entities.act("taobao-order", orderId, "seller-send");
    const late = await mock.pandapon.call("/open/order/updateWarehouse", { orderId, ...WAREHOUSE });
    expect(status(late)).toEqual([409, 40901]);
    expect(String((late.envelope as { msg: string }).msg)).toMatch(/"update-warehouse" is not allowed in the state "wait-receive"/);
    expect((await mock.admin.entities.get("taobao-order", orderId)).state).toBe("wait-receive");

    const count = (await orders()).length;
    const broken = await mock.pandapon.call("/open/order", { ...CREATE, purchaseAmount: 1 });
    expect(status(broken)[0]).toBe(400);
    expect(status(broken)[1]).toBe(40003);
    expect((await orders()).length).toBe(count);
  });
});
