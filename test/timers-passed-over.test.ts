import { afterEach, describe, expect, it } from "vitest";
import { getCore } from "../mock/app.js";
import { createState } from "../mock/state/create-state.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import type { StateStore } from "../mock/state/store.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { REFUND_APPLICATION } from "./helpers/flow-requests.js";
import { FLOW_NOW, startStatefulMock } from "./helpers/stateful-mock.js";
import { toTestRecord } from "./helpers/test-record.js";

// A due timer the sweeper cannot fire — its entity's type has no lifecycle here, or the write is
// refused (the store full) — is logged once, counted in GET /__mock/health, and not read again at
// every wake-up.

const DAY_S = 24 * 3600;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A SQLite store in memory whose listDue answers are counted (entities read by the sweeps). */
function countingStore(limits: Parameters<typeof createSqliteStore>[0]["limits"]): { store: StateStore; dueRead: () => number } {
  const store = createSqliteStore({ file: ":memory:", limits });
  let read = 0;
  const counted: StateStore = {
    ...store,
    async listDue(query) {
      const page = await store.listDue(query);
      read += page.records.length;
      return page;
    },
  };
  return { store: counted, dueRead: () => read };
}

async function startMock(limits: Parameters<typeof createSqliteStore>[0]["limits"] = {}) {
  const { store, dueRead } = countingStore(limits);
  const state = await createState({ store, seed: 7, clock: { mode: "frozen", at: FLOW_NOW } });
  const lines: string[] = [];
  const mock = await startStatefulMock({ state, mock: { pushes: { pollMs: 20 }, log: (line: string) => void lines.push(line) } });
  stops.push(mock.stop);
  return { mock, dueRead, timerLines: () => lines.filter((l) => l.startsWith("mock timers:")), timers: getCore(mock.app).timers! };
}

async function createRefund(mock: Awaited<ReturnType<typeof startStatefulMock>>): Promise<void> {
  expect((await mock.pandapon.call("/alibaba/refund/detail/create", REFUND_APPLICATION)).status).toBe(200);
}

const health = async (url: string) => (await (await fetch(`${url}/__mock/health`)).json()) as { timers?: { stuck: unknown } };

describe("due timers the sweeper cannot fire", () => {
  it("are logged once per entity, counted in the health route, and passed over by later wake-ups; the others still fire", async () => {
    // How many bytes a created refund holds, so the next store has room for it but not for its timeout's transition.
    // (The clock's setting is written first: it takes the same room whenever it moves.)
    const probe = await startMock();
    await probe.mock.admin.clock.advance(1);
    await createRefund(probe.mock);
    const bytes = (await probe.mock.state.store.stats()).bytes;

    const { mock, dueRead, timerLines, timers } = await startMock({ maxBytes: bytes + 20 });
    await mock.admin.clock.advance(1);
    await createRefund(mock);
    // An entity of a type this mock has no lifecycle for, with a timer due in 5 days.
    expect(await mock.state.store.put(toTestRecord({ tenant: DEMO_PANDAPON.accessKey, type: "retired-type", id: "R1", timers: [{ action: "close", at: FLOW_NOW + 1000 }] }), 0)).toMatchObject({ ok: false, reason: "full" });
    expect((await health(mock.url)).timers).toEqual({ stuck: { entities: 0, unknownType: 0, refused: 0 } });

    await mock.admin.clock.advance(5 * DAY_S);
    await timers.idle();
    expect(timerLines()).toEqual([expect.stringMatching(/^mock timers: the due timers of alibaba-refund "TQ\d+" \(tenant 58c0201dfdf148eca63cbf6bb5e7cf03\) are not fired: Failed to store the alibaba-refund "TQ\d+": .*maxBytes.*Passed over until it changes \(logged once\)\.$/)]);
    expect((await health(mock.url)).timers).toEqual({ stuck: { entities: 1, unknownType: 0, refused: 1 } });
    const readAfterFirst = dueRead();
    expect(readAfterFirst).toBe(1);
    // More wake-ups (clock moves, polls): no new line, and the passed-over refund is not read again.
    for (let i = 0; i < 5; i++) await mock.admin.clock.advance(60);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await timers.idle();
    expect(timerLines()).toHaveLength(1);
    expect(dueRead()).toBe(readAfterFirst);
    // A read of it tries the write too, and says why it cannot: 409 with the store's reason, not a 5xx.
    const [stored] = (await mock.state.store.list({ type: "alibaba-refund", limit: 1 })).records;
    const read = await fetch(`${mock.url}/__mock/entities/alibaba-refund/${stored!.id}?tenant=${DEMO_PANDAPON.accessKey}`);
    expect(read.status).toBe(409);
    expect(((await read.json()) as { error: string }).error).toContain("maxBytes");
  });

  it("skips entities of a type with no lifecycle here without reading them again, and fires the timers after them", async () => {
    const { mock, dueRead, timerLines, timers } = await startMock();
    for (const id of ["R1", "R2", "R3"]) {
      expect(await mock.state.store.put(toTestRecord({ tenant: DEMO_PANDAPON.accessKey, type: "retired-type", id, timers: [{ action: "close", at: FLOW_NOW + 1000 }] }), 0)).toMatchObject({ ok: true });
    }
    await createRefund(mock);
    await mock.admin.clock.advance(5 * DAY_S);
    await timers.idle();
    expect(timerLines()).toEqual(["R1", "R2", "R3"].map((id) => `mock timers: the due timers of retired-type "${id}" (tenant ${DEMO_PANDAPON.accessKey}) are not fired: this mock has no lifecycle for the type retired-type. Passed over until it changes (logged once).`));
    expect((await health(mock.url)).timers).toEqual({ stuck: { entities: 3, unknownType: 3, refused: 0 } });
    // The refund after them fired (agreed by the seller's timeout).
    const [refund] = (await mock.state.store.list({ type: "alibaba-refund", limit: 1 })).records;
    expect(refund!.state).toBe("waitbuyersend");
    const read = dueRead();
    for (let i = 0; i < 5; i++) await mock.admin.clock.advance(60);
    await timers.idle();
    expect(dueRead()).toBe(read);
    expect(timerLines()).toHaveLength(3);
  });

  it("a clock move the full store cannot keep answers 409 with why, and the clock stays", async () => {
    const { mock } = await startMock({ maxBytes: 10 });
    const before = (await (await fetch(`${mock.url}/__mock/clock`)).json()) as { now: string };
    const res = await fetch(`${mock.url}/__mock/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"advanceSeconds": 60}' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/^Failed to move the clock: the state store refused its setting \(.*maxBytes.*\); the clock did not move\.$/);
    expect(await (await fetch(`${mock.url}/__mock/clock`)).json()).toEqual(before);
  });
});
