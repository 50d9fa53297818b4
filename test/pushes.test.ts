import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { getCore } from "../mock/app.js";
import { MAX_RETRIES, RETRY_AFTER_MS } from "../mock/push/push-schedule.js";
import { getCatalog } from "../schemas/catalog.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { startPushReceiver } from "./helpers/push-receiver.js";
import { FLOW_NOW, startStatefulMock } from "./helpers/stateful-mock.js";
import { REFUND_APPLICATION, TAOBAO_ORDER } from "./helpers/flow-requests.js";

const CREATE = TAOBAO_ORDER;

const ALIBABA_CREATE = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "schemas/examples/alibaba-order-create/request.realistic.json"), "utf8")) as { payload: Record<string, unknown> }).payload;
const REFUND_CREATE = REFUND_APPLICATION;

type Mock = Awaited<ReturnType<typeof startStatefulMock>>;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function start(behave?: (count: number) => Promise<number | undefined> | number | undefined, extra: Record<string, unknown> = {}) {
  let mock: Mock | undefined;
  const receiver = await startPushReceiver({ secret: DEMO_PANDAPON.secret, now: () => mock?.state.clock.now() ?? FLOW_NOW, behave });
  stops.push(receiver.stop);
  mock = await startStatefulMock({ mock: { pandapon: { keys: [{ ...DEMO_PANDAPON, callbackUrls: [receiver.url] }] }, pushes: { pollMs: 20 }, ...extra } });
  stops.push(mock.stop);
  return { mock, receiver, pushes: getCore(mock.app).pushes! };
}

async function admin(mock: Mock, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${mock.url}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

async function createOrder(mock: Mock): Promise<string> {
  const created = await mock.pandapon.call("/open/order", CREATE);
  expect(created.status).toBe(200);
  const page = await mock.admin.entities.list({ type: "taobao-order" });
  return page.entities[0]!.id;
}

async function createAlibabaOrder(mock: Mock): Promise<{ id: string }> {
  const created = await mock.pandapon.call("/alibaba/order/create", ALIBABA_CREATE);
  expect(created.status).toBe(200);
  const page = await mock.admin.entities.list({ type: "alibaba-order" });
  return page.entities[0]!;
}

describe("message pushes, delivered to a real receiver (createCallbackMiddleware)", () => {
  it("a Taobao order's transitions arrive signed and schema-valid: created, price modified (documented), paid", async () => {
    const { mock, receiver, pushes } = await start();
    const id = await createOrder(mock);
    const afterChange = await mock.admin.entities.act("taobao-order", id, "modify-price");
    await mock.admin.entities.act("taobao-order", id, "pay");
    await pushes.idle();
    expect(receiver.rejected).toEqual([]);
    const types = receiver.received.map((r) => r.message.messageType).sort();
    expect(types).toEqual(["TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY", "TAOBAO_ORDER_STATUS_MODIFY", "TAOBAO_ORDER_STATUS_MODIFY"]);
    const modified = receiver.received.find((r) => r.message.messageType === "TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY")!;
    // The body is the order right after the change: the amounts the entity held then.
    expect(modified.message.messageBody).toEqual(JSON.parse(JSON.stringify((afterChange as any).fields)));
    expect(modified.message.messagePlatform).toBe(0);
    // The documented message validates against its schema (the middleware checked it; here again, whole).
    const schemaCheck = getCatalog().find("TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY")!;
    expect(schemaCheck).toBeDefined();
    expect(modified.authorization).toMatch(/^[0-9A-F]{64}$/);
    const listed = await admin(mock, "GET", "/__mock/pushes");
    expect(listed.status).toBe(200);
    expect(listed.json.pushes.map((p: any) => [p.state, p.attemptCount, p.attempts[0].status])).toEqual([
      ["done", 1, 200],
      ["done", 1, 200],
      ["done", 1, 200],
    ]);
    expect(listed.json.pushes[1]).toMatchObject({ messageType: "TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY", entity: { type: "taobao-order", id }, url: receiver.url, assumed: false });
    expect(JSON.stringify(listed.json)).not.toContain(DEMO_PANDAPON.secret);
  });

  it("1688 price modification (documented) and refund changes (assumed) are accepted by the receiver", async () => {
    const { mock, receiver, pushes } = await start();
    const order = await createAlibabaOrder(mock);
    await mock.admin.entities.act("alibaba-order", order.id, "modify-price");
    expect((await mock.pandapon.call("/alibaba/refund/detail/create", REFUND_CREATE)).status).toBe(200);
    const [refund] = (await mock.admin.entities.list({ type: "alibaba-refund" })).entities;
    await mock.admin.entities.act("alibaba-refund", refund!.id, "seller-agree");
    await pushes.idle();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((r) => r.message.messageType).sort()).toEqual([
      "1688_ORDER_AFTER_SALES_REFUND",
      "1688_ORDER_AFTER_SALES_REFUND",
      "1688_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY",
      "1688_ORDER_STATUS_MODIFY",
    ]);
    const refunds = receiver.received.filter((r) => r.message.messageType === "1688_ORDER_AFTER_SALES_REFUND").map((r) => (r.message.messageBody as { status?: string }).status);
    expect(refunds.sort()).toEqual(["waitbuyersend", "waitselleragree"]);
    expect(receiver.received.every((r) => r.message.messagePlatform === 1)).toBe(true);
  });

  for (const [name, behave] of [
    ["answers 500", () => 500],
    ["answers slowly (1500 ms)", async () => (await new Promise((r) => setTimeout(r, 1500)), 200)],
  ] as const) {
    it(`a receiver that ${name} gets exactly 1 + ${MAX_RETRIES} attempts, 30 minutes apart on the virtual clock, then the push is given up`, async () => {
      const { mock, receiver, pushes } = await start(behave);
      const order = await createAlibabaOrder(mock);
      await pushes.idle();
      expect(receiver.hits()).toBe(1);
      for (let retry = 1; retry <= MAX_RETRIES; retry++) {
        // Not yet due a second before the 30 minutes.
        await mock.admin.clock.advance(RETRY_AFTER_MS / 1000 - 1);
        await pushes.idle();
        expect(receiver.hits()).toBe(retry);
        await mock.admin.clock.advance(1);
        await pushes.idle();
        expect(receiver.hits()).toBe(retry + 1);
      }
      await mock.admin.clock.advance(3 * 3600);
      await pushes.idle();
      expect(receiver.hits()).toBe(1 + MAX_RETRIES);
      const listed = (await admin(mock, "GET", "/__mock/pushes?state=given-up")).json.pushes;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ state: "given-up", attemptCount: 6, entity: { type: "alibaba-order", id: order.id } });
      const times = listed[0].attempts.map((a: any) => Date.parse(a.at) - FLOW_NOW);
      expect(times).toEqual([0, 1, 2, 3, 4, 5].map((n) => n * RETRY_AFTER_MS));
      expect(listed[0].attempts[0].error).toMatch(name === "answers 500" ? /HTTP 500/ : /within 1000 ms/);
    }, 30_000);
  }

  it("a refused connection is retried the same way, and a resend after the receiver is back is acknowledged", async () => {
    const { mock, receiver, pushes } = await start();
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    await admin(mock, "PUT", `/__mock/callback-urls/${DEMO_PANDAPON.accessKey}`, { urls: [`http://127.0.0.1:${closedPort}/callback`] });
    await createAlibabaOrder(mock);
    await pushes.idle();
    for (let retry = 1; retry <= MAX_RETRIES; retry++) {
      await mock.admin.clock.advance(RETRY_AFTER_MS / 1000);
      await pushes.idle();
    }
    const [given] = (await admin(mock, "GET", "/__mock/pushes")).json.pushes;
    expect(given).toMatchObject({ state: "given-up", attemptCount: 6 });
    expect(given.attempts.map((a: any) => a.error)).toEqual(Array(6).fill("connection refused"));
    // Back online: the operator re-sends to the receiver's URL.
    await admin(mock, "PUT", `/__mock/callback-urls/${DEMO_PANDAPON.accessKey}`, { urls: [receiver.url] });
    const resent = await admin(mock, "POST", `/__mock/pushes/${given.id}/resend`);
    expect(resent.status).toBe(201);
    await pushes.idle();
    // The resend goes to the URL the push was made for (the refused one): given up again later; a push by hand goes to the new URL.
    const byHand = await admin(mock, "POST", "/__mock/pushes", { type: "alibaba-order", id: given.entity.id, messageType: "1688_ORDER_STATUS_MODIFY" });
    expect(byHand.status).toBe(201);
    await pushes.idle();
    expect(receiver.received.map((r) => r.message.messageType)).toEqual(["1688_ORDER_STATUS_MODIFY"]);
    expect((await admin(mock, "POST", "/__mock/pushes/999/resend")).status).toBe(404);
    expect((await admin(mock, "PUT", `/__mock/callback-urls/${DEMO_PANDAPON.accessKey}`, { urls: ["ftp://x"] })).status).toBe(400);
  });

  it("a slow receiver does not delay API answers", async () => {
    // Each push waits the whole 1000 ms the dispatcher allows: one API answer waiting on one would take that long.
    const { mock, pushes } = await start(async () => (await new Promise((r) => setTimeout(r, 1500)), 200));
    const id = await createOrder(mock);
    const started = performance.now();
    for (let i = 0; i < 5; i++) await mock.admin.entities.act("taobao-order", id, "modify-price");
    const answered = await mock.pandapon.call("/open/order", CREATE);
    expect(answered.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    await pushes.idle();
  });

  it("renames an assumed messageType by configuration, never a documented one", async () => {
    const { mock, receiver, pushes } = await start(undefined, { pushes: { pollMs: 20, messageTypes: { TAOBAO_ORDER_STATUS_MODIFY: "MY_ORDER_STATUS", TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY: "NOPE" } } });
    const id = await createOrder(mock);
    await mock.admin.entities.act("taobao-order", id, "modify-price");
    await pushes.idle();
    expect(receiver.received.map((r) => r.message.messageType).sort()).toEqual(["MY_ORDER_STATUS", "TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY"]);
  });

  it("pushes nothing for a tenant without a callback URL", async () => {
    const mock = await startStatefulMock();
    stops.push(mock.stop);
    await createAlibabaOrder(mock);
    expect((await mock.state.store.stats()).pushes).toBe(0);
  });

  it("an outbox full of pending pushes refuses new ones, visibly: the API write is done, the refusal logged and counted; finished pushes make room", async () => {
    const lines: string[] = [];
    let failing = true;
    let mock: Mock | undefined;
    const receiver = await startPushReceiver({ secret: DEMO_PANDAPON.secret, now: () => mock?.state.clock.now() ?? FLOW_NOW, behave: () => (failing ? 500 : undefined) });
    stops.push(receiver.stop);
    const store = createSqliteStore({ file: ":memory:", limits: { maxPushes: 2, maxPushHistory: 1 } });
    mock = await startStatefulMock({ store, mock: { pandapon: { keys: [{ ...DEMO_PANDAPON, callbackUrls: [receiver.url] }] }, pushes: { pollMs: 20 }, log: (line: string) => void lines.push(line) } });
    stops.push(mock.stop);
    const pushes = getCore(mock.app).pushes!;
    for (let i = 0; i < 3; i++) expect((await mock.pandapon.call("/open/order", CREATE)).status).toBe(200);
    await pushes.idle();
    expect((await mock.state.store.stats()).entities).toBe(3);
    const listed = (await admin(mock, "GET", "/__mock/pushes")).json;
    expect(listed.pushes.map((p: any) => p.state)).toEqual(["pending", "pending"]);
    expect(listed.counts).toEqual({ kept: 2, finished: 0, refused: 1 });
    expect(lines.filter((l) => l.includes("refused"))).toEqual([expect.stringMatching(/^mock pushes: 1 push\(es\) for .* refused, the outbox being full of pending pushes/)]);
    // The receiver is back: both are delivered, the history keeps the last one, and a new push finds room.
    failing = false;
    await mock.admin.clock.advance(RETRY_AFTER_MS / 1000);
    await pushes.idle();
    expect((await admin(mock, "GET", "/__mock/pushes")).json.counts).toEqual({ kept: 1, finished: 1, refused: 1 });
    expect((await mock.pandapon.call("/open/order", CREATE)).status).toBe(200);
    await pushes.idle();
    expect(receiver.received).toHaveLength(3);
    expect((await admin(mock, "GET", "/__mock/pushes")).json.counts).toEqual({ kept: 1, finished: 1, refused: 1 });
  });
});
