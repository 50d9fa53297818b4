import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

/** The documented rules' own example of an order create (schemas/examples). */
const CREATE = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "schemas/examples/alibaba-order-create/request.realistic.json"), "utf8")) as { payload: Record<string, unknown> }).payload;
const CANCEL = { webSite: "1688", cancelReason: "不想要了" };

type Answer = Awaited<ReturnType<Awaited<ReturnType<typeof startStatefulMock>>["pandapon"]["call"]>>;
let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock();
});
afterAll(() => mock.stop());

/** An answer of 200 whose every member is documented (warnings only: 19-digit ids JSON.parse would round). */
const ok = (answer: Answer) => {
  expect(answer.status, answer.rawBody.slice(0, 300)).toBe(200);
  expect(answer.violations.filter((v) => v.severity !== "warning")).toEqual([]);
  return answer;
};
/** A refusal in the PandaPon envelope: 409/40901 naming the state it was refused in. */
const refused = (answer: Answer, state: string) => {
  expect(answer.status, answer.rawBody.slice(0, 300)).toBe(409);
  expect(answer.envelope).toMatchObject({ code: 40901, data: null });
  // The envelope is the documented one; the client reports the business error itself as `api-error`.
  expect(answer.violations.filter((v) => v.severity !== "warning").map((v) => v.rule)).toEqual(["api-error"]);
  expect(String((answer.envelope as { msg: string }).msg)).toContain(`"${state}"`);
};

const storedIds = async () => new Set((await mock.admin.entities.list({ type: "alibaba-order" })).entities.map((e) => e.id));
/** Creates an order through the API; its answer does not name it (undocumented), so the admin API tells the new id. */
const createOrder = async (operation = "/alibaba/order/create"): Promise<string> => {
  const before = await storedIds();
  ok(await mock.pandapon.call(operation, CREATE));
  const created = [...(await storedIds())].filter((id) => !before.has(id));
  expect(created).toHaveLength(1);
  return created[0]!;
};
const payUrl = async (orderId: string) => ok(await mock.pandapon.call("/alibaba/order/pay/url", { orderId })).data as Record<string, unknown>;
const stateOf = async (orderId: string) => (await mock.admin.entities.get("alibaba-order", orderId)).state;

describe("1688 order flow through real HTTP (stateful mock)", () => {
  it("create → pay URL waits for payment and names the order → cancel before payment → no pay URL, cannot be paid", async () => {
    const orderId = await createOrder();
    expect(orderId).toMatch(/^2\d{12}880794$/);
    const waiting = await payUrl(orderId);
    expect(waiting).toMatchObject({ orderId, protocolPaySuccess: false, cantPayOrderList: [] });
    expect(waiting.payUrl).toMatch(new RegExp(`^https://trade\\.1688\\.com/order/cashier\\.htm\\?orderId=${orderId}&payToken=[0-9a-f]{32}$`));
    // Reading again shows the same order (the payment token is the entity's, not generated anew).
    expect((await payUrl(orderId)).payUrl).toBe(waiting.payUrl);

    ok(await mock.pandapon.call("/alibaba/order/cancel", { ...CANCEL, orderId: BigInt(orderId) }));
    expect(await stateOf(orderId)).toBe("cancel");
    const cancelled = await mock.pandapon.call("/alibaba/order/pay/url", { orderId });
    ok(cancelled);
    expect(cancelled.data).toMatchObject({ orderId, payUrl: null, protocolPaySuccess: false });
    expect(cancelled.rawBody).toContain(`"cantPayOrderList":[${orderId}]`);

    // A cancelled order is neither cancelled again (v2 path) nor paid.
    refused(await mock.pandapon.call("/v2/alibaba/order/cancel", { ...CANCEL, orderId: BigInt(orderId) }), "cancel");
    refused(await mock.pandapon.call("/alibaba/order/batch/submit/to/pay", { orderIds: [orderId] }), "cancel");
  });

  it("pay → cancel refused → receive-goods refused until the seller ships → accepted after", async () => {
    const orderId = await createOrder("/alibaba/order/batch/create");
    ok(await mock.pandapon.call("/alibaba/order/batch/submit/to/pay", { orderIds: [orderId] }));
    expect(await payUrl(orderId)).toMatchObject({ orderId, payUrl: null, protocolPaySuccess: true });

    const late = await mock.pandapon.call("/alibaba/order/cancel", { ...CANCEL, orderId: BigInt(orderId) });
    refused(late, "waitsellersend");
    expect(String((late.envelope as { msg: string }).msg)).toMatch(/cancel.*seller-send/);
    refused(await mock.pandapon.call("/alibaba/order/receivegoods", { orderId: BigInt(orderId) }), "waitsellersend");
    expect(await stateOf(orderId)).toBe("waitsellersend");

    expect((await mock.admin.entities.act("alibaba-order", orderId, "seller-send")).state).toBe("waitbuyerreceive");
    ok(await mock.pandapon.call("/alibaba/order/receivegoods", { orderId: BigInt(orderId) }));
    expect(await stateOf(orderId)).toBe("confirm_goods");
    refused(await mock.pandapon.call("/alibaba/order/receivegoods", { orderId: BigInt(orderId) }), "confirm_goods");
  });

  it("the v2 cancel cancels an unpaid order", async () => {
    const orderId = await createOrder("/v2/alibaba/order/batch/create");
    ok(await mock.pandapon.call("/v2/alibaba/order/cancel", { ...CANCEL, orderId: BigInt(orderId) }));
    expect(await stateOf(orderId)).toBe("cancel");
  });

  it("a batch payment moves every order it names; one order that cannot be paid leaves them all as they were", async () => {
    const [a, b, c, d] = [await createOrder(), await createOrder(), await createOrder(), await createOrder()];
    ok(await mock.pandapon.call("/alibaba/order/batch/submit/to/pay", { orderIds: [a, b] }));
    expect([await stateOf(a), await stateOf(b)]).toEqual(["waitsellersend", "waitsellersend"]);

    ok(await mock.pandapon.call("/alibaba/order/cancel", { ...CANCEL, orderId: BigInt(d) }));
    const versions = async () => Promise.all([c, d].map(async (id) => (await mock.admin.entities.get("alibaba-order", id)).version));
    const before = await versions();
    refused(await mock.pandapon.call("/alibaba/order/batch/submit/to/pay", { orderIds: [c, d] }), "cancel");
    expect([await stateOf(c), await stateOf(d)]).toEqual(["waitbuyerpay", "cancel"]);
    expect(await versions()).toEqual(before);
    expect((await payUrl(c)).payUrl).toEqual(expect.stringContaining(`orderId=${c}&`));
  });

  it("a create without goods is refused with 400/40003 and stores nothing", async () => {
    const before = await storedIds();
    const answer = await mock.pandapon.call("/alibaba/order/create", { ...CREATE, cargoParamList: [] });
    expect(answer.status).toBe(400);
    expect(answer.envelope).toMatchObject({ code: 40003, data: null });
    expect(String((answer.envelope as { msg: string }).msg)).toContain("cargoParamList must name the goods");
    expect(await storedIds()).toEqual(before);
  });
});
