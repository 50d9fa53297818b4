import { afterEach, describe, expect, it } from "vitest";
import { getCore } from "../mock/app.js";
import { createState } from "../mock/state/create-state.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { REFUND_APPLICATION } from "./helpers/flow-requests.js";
import { startPushReceiver } from "./helpers/push-receiver.js";
import { FLOW_NOW, startStatefulMock } from "./helpers/stateful-mock.js";

// A stored refund's timeouts fire as the virtual clock passes them, and their pushes go out,
// without anyone reading the refund (the seller has 5 days to answer, then the buyer 7 days to ship the return).

const DAY_S = 24 * 3600;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

type Mock = Awaited<ReturnType<typeof startStatefulMock>>;

async function startWithReceiver(options: Parameters<typeof startStatefulMock>[0] = {}) {
  let mock: Mock | undefined;
  const receiver = await startPushReceiver({ secret: DEMO_PANDAPON.secret, now: () => mock?.state.clock.now() ?? FLOW_NOW });
  stops.push(receiver.stop);
  mock = await startStatefulMock({ ...options, mock: { pandapon: { keys: [{ ...DEMO_PANDAPON, callbackUrls: [receiver.url] }] }, pushes: { pollMs: 20 } } });
  stops.push(mock.stop);
  return { mock, receiver, pushes: getCore(mock.app).pushes! };
}

async function createRefund(mock: Mock): Promise<string> {
  expect((await mock.pandapon.call("/alibaba/refund/detail/create", REFUND_APPLICATION)).status).toBe(200);
  const stored = await mock.state.store.list({ type: "alibaba-refund", limit: 10 });
  expect(stored.records).toHaveLength(1);
  return stored.records[0]!.id;
}

const statuses = (received: Array<{ message: { messageType: string; messageBody: unknown } }>) =>
  received.filter((r) => r.message.messageType === "1688_ORDER_AFTER_SALES_REFUND").map((r) => (r.message.messageBody as { status?: string }).status);

describe("timers of stored entities fire as the clock passes them", () => {
  it("POST /__mock/clock: the refund is agreed then closed by its timeouts and both pushes arrive, with no read in between", async () => {
    const { mock, receiver, pushes } = await startWithReceiver();
    const id = await createRefund(mock);
    await pushes.idle();
    expect(statuses(receiver.received)).toEqual(["waitselleragree"]);

    // A second before the seller's 5 days end: nothing fires.
    await mock.admin.clock.advance(5 * DAY_S - 1);
    expect((await mock.state.store.get(DEMO_PANDAPON.accessKey, "alibaba-refund", id))!.state).toBe("waitselleragree");
    // The clock's answer comes once the due timers have fired: the store holds the moved refund (read straight from the store, not through the mock).
    await mock.admin.clock.advance(7 * DAY_S + 1);
    const stored = (await mock.state.store.get(DEMO_PANDAPON.accessKey, "alibaba-refund", id))!;
    expect(stored.state).toBe("refundclose");
    expect(stored.history.slice(1).map((h) => [h.action, h.at - FLOW_NOW])).toEqual([
      ["timeout-agree", 5 * DAY_S * 1000],
      ["timeout-close", 12 * DAY_S * 1000],
    ]);
    await pushes.idle();
    expect(receiver.rejected).toEqual([]);
    expect(statuses(receiver.received)).toEqual(["waitselleragree", "waitbuyersend", "refundclose"]);
    const listed = (await (await fetch(`${mock.url}/__mock/pushes`)).json()) as { pushes: Array<{ action: string; state: string }> };
    expect(listed.pushes.map((p) => [p.action, p.state])).toEqual([
      ["create", "done"],
      ["timeout-agree", "done"],
      ["timeout-close", "done"],
    ]);
    // Moving on further fires nothing twice.
    await mock.admin.clock.advance(30 * DAY_S);
    await pushes.idle();
    expect(receiver.hits()).toBe(3);
  });

  it("as real time passes (no clock request): the sweeper's own wake-up fires them", async () => {
    let realNow = FLOW_NOW;
    const store = createSqliteStore({ file: ":memory:" });
    const state = await createState({ store, seed: 7, realNow: () => realNow, clock: { mode: "offset", offsetMs: 0 } });
    const { mock, receiver, pushes } = await startWithReceiver({ state });
    const id = await createRefund(mock);
    await pushes.idle();
    realNow += 5 * DAY_S * 1000;
    const until = Date.now() + 10_000;
    while (receiver.received.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(statuses(receiver.received)).toEqual(["waitselleragree", "waitbuyersend"]);
    expect((await state.store.get(DEMO_PANDAPON.accessKey, "alibaba-refund", id))!.state).toBe("waitbuyersend");
  });
});
