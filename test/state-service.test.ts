import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toJsonText } from "../protocol/json-wire.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import type { EntityResult, EntityView, StateService } from "../mock/state/create-state.js";
import { createState } from "../mock/state/create-state.js";
import { NOW, SEED, setupLifecycles, toTestId } from "./lifecycle-helpers.js";

const TENANT = "58c0201dfdf148eca63cbf6bb5e7cf03";
const OTHER = "another-tenant";
const REFUND = "alibaba-refund";
const { lifecycles, catalog } = setupLifecycles();
const refundLifecycle = lifecycles.get(REFUND)!;

async function setup(file = ":memory:", seed: number | string = SEED) {
  const store = createSqliteStore({ file });
  const state = await createState({ store, seed, catalog, lifecycles, realNow: () => NOW, clock: { mode: "frozen", at: NOW } });
  return { store, state };
}

function toEntity(result: EntityResult): EntityView {
  if (!result.ok) throw new Error(result.message);
  return result.entity;
}

/** The first test id whose born refund is in `state` (born at NOW). */
async function findBornIn(state: StateService, wanted: string, tenant = TENANT): Promise<string> {
  for (let n = 0; n < 500; n++) {
    const id = toTestId(refundLifecycle, n);
    if (toEntity(await state.read(tenant, REFUND, id)).state === wanted) return id;
  }
  throw new Error(`no born refund in ${wanted}`);
}

describe("the state service", () => {
  it("answers born entities for unknown ids and never grows the store by reading", async () => {
    const { store, state } = await setup();
    for (let n = 0; n < 50; n++) {
      const entity = toEntity(await state.read(TENANT, REFUND, toTestId(refundLifecycle, n)));
      expect(entity.stored).toBe(false);
      expect(entity.allowedActions).toEqual(expect.any(Array));
    }
    expect((await store.stats()).entities).toBe(0);
    const again = toEntity(await state.read(TENANT, REFUND, toTestId(refundLifecycle, 3)));
    const fresh = (await setup()).state;
    expect(toJsonText(again)).toBe(toJsonText(toEntity(await fresh.read(TENANT, REFUND, toTestId(refundLifecycle, 3)))));
  });

  it("keeps an unknown id's birth from its second read while it stays the same, and bears it again once its next step or timer has passed", async () => {
    const { birth } = setupLifecycles();
    let births = 0;
    let stableUntil = 0;
    const counted: typeof birth = (key, now) => {
      births++;
      const born = birth(key, now);
      stableUntil = born.stableUntil;
      return born;
    };
    const store = createSqliteStore({ file: ":memory:" });
    const state = await createState({ store, seed: SEED, catalog, lifecycles, birth: counted, realNow: () => NOW, clock: { mode: "frozen", at: NOW } });
    // An entity that changes again within a day: a step or a timer is ahead of it.
    let id = "";
    for (let n = 0; n < 200 && !(stableUntil > NOW && stableUntil < NOW + 86_400_000); n++) {
      id = toTestId(refundLifecycle, n);
      await state.read(TENANT, REFUND, id);
    }
    // Read once so far (a one-off id is not kept): the second read bears it again and keeps it.
    births = 0;
    const first = toEntity(await state.read(TENANT, REFUND, id));
    expect(births).toBe(1);
    expect(toEntity(await state.read(TENANT, REFUND, id))).toEqual(first);
    births = 0;
    await state.clock.advance(Math.floor((stableUntil - NOW) / 1000) - 1);
    expect(toEntity(await state.read(TENANT, REFUND, id))).toEqual(first);
    expect(births).toBe(0);
    await state.clock.advance(2);
    const later = toEntity(await state.read(TENANT, REFUND, id));
    expect(births).toBe(1);
    expect(later.history.length).toBeGreaterThan(first.history.length);
    expect(later.history.slice(0, first.history.length)).toEqual(first.history);
  });

  it("stores a born entity on its first action, moved from the state it was born in", async () => {
    const { store, state } = await setup();
    const id = await findBornIn(state, "waitselleragree");
    const born = toEntity(await state.read(TENANT, REFUND, id));
    const acted = toEntity(await state.act(TENANT, REFUND, id, "seller-agree"));
    expect(acted).toMatchObject({ stored: true, version: 1, createdAt: born.createdAt });
    expect(["waitbuyersend", "refundsuccess"]).toContain(acted.state);
    expect(acted.history.slice(0, -1)).toEqual(born.history);
    expect(acted.history.at(-1)).toMatchObject({ action: "seller-agree", from: "waitselleragree", at: NOW });
    expect((await store.stats()).entities).toBe(1);
    expect(toEntity(await state.read(TENANT, REFUND, id))).toMatchObject({ state: acted.state, version: 1, stored: true });
    expect(toEntity(await state.read(OTHER, REFUND, id)).stored).toBe(false);
  });

  it("refuses an action the state does not allow, naming the allowed ones, and stores nothing", async () => {
    const { store, state } = await setup();
    const id = await findBornIn(state, "waitselleragree");
    const refused = await state.act(TENANT, REFUND, id, "seller-receive");
    expect(refused).toMatchObject({ ok: false, code: "refused", state: "waitselleragree" });
    expect(!refused.ok && refused.allowed).toEqual(expect.arrayContaining(["seller-agree", "seller-reject", "close"]));
    expect(!refused.ok && refused.allowed).not.toContain("seller-receive");
    expect((await store.stats()).entities).toBe(0);
  });

  it("answers unknown types and ids that do not fit as problems", async () => {
    const { state } = await setup();
    expect(await state.read(TENANT, "refund", "1")).toMatchObject({ ok: false, code: "unknown-type", message: expect.stringContaining("alibaba-refund") });
    expect(await state.read(TENANT, "address", "0012")).toMatchObject({ ok: false, code: "bad-id" });
    expect(await state.create(TENANT, REFUND, { action: "seller-agree" })).toMatchObject({ ok: false, code: "refused", allowed: ["create"] });
  });

  it("fires timers as the clock advances and writes them back on the next read", async () => {
    const { state } = await setup();
    const id = await findBornIn(state, "waitselleragree");
    const rejected = toEntity(await state.act(TENANT, REFUND, id, "seller-reject"));
    expect(rejected.state).toBe("waitbuyermodify");
    await state.clock.advance(604_800 - 1);
    expect(toEntity(await state.read(TENANT, REFUND, id))).toMatchObject({ state: "waitbuyermodify", version: 1 });
    await state.clock.advance(1);
    const closed = toEntity(await state.read(TENANT, REFUND, id));
    expect(closed).toMatchObject({ state: "refundclose", version: 2 });
    expect(closed.history.at(-1)).toMatchObject({ action: "timeout-close", at: NOW + 604_800_000 });
  });

  it("resets one tenant and leaves the others", async () => {
    const { store, state } = await setup();
    for (const tenant of [TENANT, OTHER]) toEntity(await state.create(tenant, "alibaba-cart"));
    await state.reset(OTHER);
    expect((await state.list({ tenant: TENANT })).entities).toHaveLength(1);
    expect((await state.list({ tenant: OTHER })).entities).toHaveLength(0);
    await state.reset();
    expect((await store.stats()).entities).toBe(0);
    expect(state.clock.now()).toBe(NOW);
  });

  it("makes the same records from the same seed, calls and clock, and others from another seed", async () => {
    const run = async (seed: number) => {
      const { state } = await setup(":memory:", seed);
      const id = toTestId(refundLifecycle, 11);
      const results = [await state.create(TENANT, "alibaba-cart"), await state.create(TENANT, "alibaba-cart"), await state.read(TENANT, REFUND, id)];
      for (const action of ["seller-agree", "close", "seller-reject"]) results.push(await state.act(TENANT, REFUND, id, action));
      await state.clock.advance(3600);
      results.push(await state.create(OTHER, "alibaba-cart"));
      return toJsonText([results, await state.list({})]);
    };
    const first = await run(SEED);
    expect(await run(SEED)).toBe(first);
    expect(await run(SEED + 1)).not.toBe(first);
  });

  it("keeps writes and the clock across a restart on a file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "state-service-")), "state.sqlite");
    const first = await setup(file);
    const created = toEntity(await first.state.create(TENANT, "alibaba-cart"));
    await first.state.clock.advance(90);
    await first.state.close();
    const store = createSqliteStore({ file });
    const second = await createState({ store, seed: SEED, catalog, lifecycles, realNow: () => NOW });
    expect(second.clock.now()).toBe(NOW + 90_000);
    expect(toEntity(await second.read(TENANT, "alibaba-cart", created.id))).toMatchObject({ stored: true, version: 1, state: created.state, fields: created.fields });
    const next = toEntity(await second.create(TENANT, "alibaba-cart"));
    expect(next.id).not.toBe(created.id);
    await second.close();
  });
});
