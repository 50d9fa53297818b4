import { describe, expect, it } from "vitest";
import type { EntityRecord } from "../mock/state/entity.js";
import type { DueKey, EntityKey, NewPush, PushRecord, StateStore } from "../mock/state/store.js";
import { MAX_ATTEMPTS_KEPT, MAX_PAGE_SIZE } from "../mock/state/store.js";
import { readStoreKinds } from "./helpers/store-setups.js";
import { toTestRecord } from "./helpers/test-record.js";

// One suite, every store: SQLite file, SQLite memory, PostgreSQL (a fresh schema per test).

const T0 = 1_700_000_000_000;
const EMPTY_STATS = { entities: 0, pushes: 0, keys: 0, bytes: 0, finishedPushes: 0, finishedBytes: 0, refusedPushes: 0 };

function toPush(overrides: Partial<NewPush> = {}): NewPush {
  return { tenant: "tenant-a", topic: "ORDER_PRICE_MODIFY", payload: { orderId: 1234567890123456789n, price: "12.50" }, dueAt: T0, createdAt: T0, ...overrides };
}

async function readAllPages(store: StateStore, query: { tenant?: string; type?: string }, limit: number): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let after: EntityKey | undefined;
  let pages = 0;
  do {
    const page = await store.list({ ...query, limit, ...(after ? { after } : {}) });
    pages++;
    keys.push(...page.records.map((r) => `${r.type}|${r.id}|${r.tenant}`));
    after = page.next ?? undefined;
  } while (after !== undefined && pages < 100);
  return { keys, pages };
}

/** Byte order of UTF-8, as both databases compare text. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function claimUntilEmpty(store: StateStore, owner: string, now: number): Promise<number[]> {
  const ids: number[] = [];
  for (;;) {
    const claimed = await store.claimDue(now, owner, 60_000, 3);
    if (claimed.length === 0) return ids;
    ids.push(...claimed.map((p) => p.id));
  }
}

/** A little of everything, with answers that a store kind must give alike. */
async function runScript(store: StateStore): Promise<unknown[]> {
  const out: unknown[] = [];
  out.push(await store.put(toTestRecord(), 0), await store.put(toTestRecord({ tenant: "tenant-b", id: "é" }), 0), await store.nextSequence("tenant-a", "x"));
  out.push(await store.append(toPush()), await store.append(toPush({ dueAt: T0 - 5 })), await store.claimDue(T0, "r", 10, 10));
  out.push(await store.recordAttempt(2, { at: T0, owner: "r", status: 502 }, { nextAt: T0 + 60_000 }), await store.put(toTestRecord({ state: "refundclose" }), 1));
  out.push(await store.list({ limit: 5 }), await store.listPushes({ limit: 5 }), await store.stats());
  return out;
}

const kinds = readStoreKinds();
for (const kind of kinds) {
  describe.skipIf(kind.skipReason !== undefined)(`${kind.name} store`, () => {
    it("gives back what it stored, 19-digit bigint fields exact, with version 1", async () => {
      const { store } = await kind.setup();
      const record = toTestRecord({
        version: 42,
        fields: {
          orderId: 1234567890123456789n,
          negative: -9223372036854775808n,
          nested: { ids: [9007199254740993n, 2, "9007199254740993"], price: 0.1 + 0.2, big: 1e300, text: "退款 ✓ 😀 \u0000 \"q\"" },
          ["__proto__"]: 9223372036854775807n,
          empty: {},
          flag: false,
          none: null,
        },
      });
      expect(await store.put(record, 0)).toEqual({ ok: true, version: 1 });
      const read = await store.get("tenant-a", "alibaba-refund", "TQ1001");
      expect(read).toEqual({ ...record, version: 1 });
      expect((read!.fields.nested as { ids: unknown[] }).ids[0]).toBe(9007199254740993n);
      expect(Object.getOwnPropertyDescriptor(read!.fields, "__proto__")?.value).toBe(9223372036854775807n);
      expect(Object.getPrototypeOf(read!.fields)).toBe(Object.prototype);
    });

    it("answers undefined for ids, types and tenants nobody wrote, and for names it cannot hold", async () => {
      const { store } = await kind.setup();
      await store.put(toTestRecord(), 0);
      expect(await store.get("tenant-a", "alibaba-refund", "TQ1002")).toBeUndefined();
      expect(await store.get("tenant-a", "taobao-order", "TQ1001")).toBeUndefined();
      expect(await store.get("tenant-b", "alibaba-refund", "TQ1001")).toBeUndefined();
      expect(await store.get("tenant-a", "alibaba-refund", "TQ\u00001001")).toBeUndefined();
      expect(await store.get("tenant-a", "alibaba-refund", "TQ\ud8001001")).toBeUndefined();
      expect(await store.get("tenant-a", "alibaba-refund", "x".repeat(5000))).toBeUndefined();
      expect(await store.stats()).toMatchObject({ entities: 1 });
    });

    it("refuses a write naming a version other than the stored one, as data, and keeps the stored record", async () => {
      const { store } = await kind.setup();
      const first = toTestRecord();
      expect(await store.put(first, 0)).toEqual({ ok: true, version: 1 });
      expect(await store.put({ ...first, state: "refundclose" }, 0)).toMatchObject({ ok: false, reason: "conflict", version: 1 });
      expect(await store.put({ ...first, state: "refundclose" }, 2)).toMatchObject({ ok: false, reason: "conflict", version: 1 });
      expect(await store.put(toTestRecord({ id: "TQ1002" }), 1)).toMatchObject({ ok: false, reason: "conflict", version: 0 });
      expect(await store.get("tenant-a", "alibaba-refund", "TQ1001")).toMatchObject({ state: "waitselleragree", version: 1 });
      expect(await store.get("tenant-a", "alibaba-refund", "TQ1002")).toBeUndefined();
      expect(await store.put({ ...first, state: "waitbuyersend" }, 1)).toEqual({ ok: true, version: 2 });
      expect(await store.get("tenant-a", "alibaba-refund", "TQ1001")).toMatchObject({ state: "waitbuyersend", version: 2 });
      expect(await store.stats()).toMatchObject({ entities: 1 });
    });

    it("lets exactly one of two writers of the same version win", async () => {
      const { store, openAnother } = await kind.setup();
      const other = await openAnother();
      await store.put(toTestRecord(), 0);
      const results = await Promise.all([store.put(toTestRecord({ state: "a" }), 1), other.put(toTestRecord({ state: "b" }), 1), store.put(toTestRecord({ id: "new" }), 0), other.put(toTestRecord({ id: "new" }), 0)]);
      expect(results.slice(0, 2).filter((r) => r.ok)).toHaveLength(1);
      expect(results.slice(2).filter((r) => r.ok)).toHaveLength(1);
      expect(await store.stats()).toMatchObject({ entities: 2 });
    });

    it.each<[string, (r: EntityRecord) => unknown]>([
      ["NaN", (r) => (r.fields.x = Number.NaN)],
      ["Infinity", (r) => (r.fields.x = Number.POSITIVE_INFINITY)],
      ["an integer beyond 2^53 as a number", (r) => (r.fields.x = 2 ** 60)],
      ["a bigint within 2^53", (r) => (r.fields.x = 5n)],
      ["a Date", (r) => (r.fields.x = new Date(0))],
      ["a string starting with the bigint mark", (r) => (r.fields.x = { y: ["\u0000bigint:12"] })],
      ["a Map", (r) => (r.fields.x = new Map())],
      ["a function", (r) => (r.fields.x = () => 1)],
      ["undefined in an array", (r) => (r.fields.x = [1, undefined])],
      ["nesting 70 levels deep", (r) => (r.fields.x = Array.from({ length: 70 }).reduce<unknown>((inner) => [inner], 1))],
      ["an empty id", (r) => (r.id = "")],
      ["a NUL in the tenant", (r) => (r.tenant = "a\u0000b")],
      ["half a surrogate pair in the id", (r) => (r.id = "TQ\udc00")],
      ["a type of 201 characters", (r) => (r.type = "t".repeat(201))],
      ["a fractional createdAt", (r) => (r.createdAt = 1.5)],
      ["history that is not an array", (r) => ((r as { history: unknown }).history = {})],
      ["fields that are an array", (r) => ((r as { fields: unknown }).fields = [])],
    ])("refuses a record holding %s, as data, storing nothing", async (_what, spoil) => {
      const { store } = await kind.setup();
      const record = toTestRecord();
      spoil(record);
      const result = await store.put(record, 0);
      expect(result).toMatchObject({ ok: false, reason: "invalid" });
      expect((result as { message: string }).message).toMatch(/^Failed to store the entity/);
      expect(await store.stats()).toEqual(EMPTY_STATS);
    });

    it("refuses a negative or fractional expected version", async () => {
      const { store } = await kind.setup();
      expect(await store.put(toTestRecord(), -1)).toMatchObject({ ok: false, reason: "invalid" });
      expect(await store.put(toTestRecord(), 0.5)).toMatchObject({ ok: false, reason: "invalid" });
    });

    it("keeps tenants apart: one tenant's get, list and reset never see or touch another's", async () => {
      const { store } = await kind.setup();
      await store.put(toTestRecord({ tenant: "tenant-a", fields: { owner: "a" } }), 0);
      await store.put(toTestRecord({ tenant: "tenant-b", fields: { owner: "b" } }), 0);
      await store.put(toTestRecord({ tenant: "tenant-b", id: "TQ2" }), 0);
      await store.append(toPush({ tenant: "tenant-a" }));
      await store.append(toPush({ tenant: "tenant-b" }));
      await store.nextSequence("tenant-a", "alibaba-refund");
      await store.nextSequence("tenant-b", "alibaba-refund");
      await store.nextSequence("tenant-b", "alibaba-refund");
      expect((await store.get("tenant-a", "alibaba-refund", "TQ1001"))?.fields).toEqual({ owner: "a" });
      expect((await store.get("tenant-b", "alibaba-refund", "TQ1001"))?.fields).toEqual({ owner: "b" });
      expect((await store.list({ tenant: "tenant-a", limit: 10 })).records.map((r) => r.tenant)).toEqual(["tenant-a"]);
      expect((await store.listPushes({ tenant: "tenant-a", limit: 10 })).pushes.map((p) => p.tenant)).toEqual(["tenant-a"]);

      await store.reset("tenant-a");
      expect(await store.get("tenant-a", "alibaba-refund", "TQ1001")).toBeUndefined();
      expect((await store.list({ limit: 10 })).records.map((r) => `${r.tenant}/${r.id}`)).toEqual(["tenant-b/TQ1001", "tenant-b/TQ2"]);
      expect((await store.listPushes({ limit: 10 })).pushes.map((p) => p.tenant)).toEqual(["tenant-b"]);
      expect(await store.nextSequence("tenant-a", "alibaba-refund")).toEqual({ ok: true, value: 1 });
      expect(await store.nextSequence("tenant-b", "alibaba-refund")).toEqual({ ok: true, value: 3 });
      expect(await store.stats()).toMatchObject({ entities: 2, pushes: 1, keys: 2 });
    });

    it("pages through entities in (type, id) order, by UTF-8 bytes, with every filter", async () => {
      const { store } = await kind.setup();
      const ids = ["a", "B", "b", "10", "9", "é", "z", "Z-1", "😀", "ä"];
      for (const tenant of ["t2", "t1"]) {
        for (const type of ["taobao-order", "alibaba-refund"]) for (const id of ids) await store.put(toTestRecord({ tenant, type, id }), 0);
      }
      const all = (await readAllPages(store, {}, 7)).keys;
      const expected = ["alibaba-refund", "taobao-order"].flatMap((type) => [...ids].sort(byUtf8).flatMap((id) => ["t1", "t2"].map((tenant) => `${type}|${id}|${tenant}`)));
      expect(all).toEqual(expected);
      expect((await readAllPages(store, {}, 7)).pages).toBe(6);
      expect((await readAllPages(store, { tenant: "t1" }, 3)).keys).toEqual(expected.filter((k) => k.endsWith("|t1")));
      expect((await readAllPages(store, { type: "taobao-order" }, 4)).keys).toEqual(expected.filter((k) => k.startsWith("taobao-order|")));
      expect((await readAllPages(store, { tenant: "t2", type: "alibaba-refund" }, 10)).keys).toEqual(expected.filter((k) => k.startsWith("alibaba-refund|") && k.endsWith("|t2")));
      const exact = await store.list({ tenant: "t2", type: "alibaba-refund", limit: 10 });
      expect(exact.next).toBeNull();
      expect((await store.list({ limit: 10_000 })).records).toHaveLength(Math.min(40, MAX_PAGE_SIZE));
      expect((await store.list({ limit: 0 })).records).toHaveLength(1);
      expect(await store.list({ tenant: "nobody", limit: 5 })).toEqual({ records: [], next: null });
    });

    it("refuses an entity beyond maxEntities, as data, while updates still pass", async () => {
      const { store } = await kind.setup({ maxEntities: 2 });
      expect(await store.put(toTestRecord({ id: "1" }), 0)).toMatchObject({ ok: true });
      expect(await store.put(toTestRecord({ id: "2" }), 0)).toMatchObject({ ok: true });
      const refused = await store.put(toTestRecord({ id: "3" }), 0);
      expect(refused).toMatchObject({ ok: false, reason: "full", limit: "maxEntities", max: 2 });
      expect((refused as { message: string }).message).toContain("maxEntities is 2");
      expect(await store.get("tenant-a", "alibaba-refund", "3")).toBeUndefined();
      expect(await store.put(toTestRecord({ id: "2", state: "refundclose" }), 1)).toEqual({ ok: true, version: 2 });
      expect(await store.stats()).toMatchObject({ entities: 2 });
    });

    it("refuses a write beyond maxBytes, counts the bytes exactly and lets a shrinking update pass", async () => {
      const { store } = await kind.setup({ maxBytes: 3000 });
      const big = toTestRecord({ id: "big", fields: { text: "x".repeat(1000) } });
      expect(await store.put(big, 0)).toMatchObject({ ok: true });
      const one = (await store.stats()).bytes;
      expect(one).toBeGreaterThan(1000);
      expect(one).toBeLessThan(1500);
      expect(await store.put({ ...big, id: "big2" }, 0)).toMatchObject({ ok: true });
      expect((await store.stats()).bytes).toBe(2 * one + "2".length);
      expect(await store.put({ ...big, id: "big3" }, 0)).toMatchObject({ ok: false, reason: "full", limit: "maxBytes" });
      expect(await store.append(toPush({ payload: "y".repeat(1000) }))).toMatchObject({ ok: false, reason: "full", limit: "maxBytes" });
      expect(await store.setMeta("clock", "z".repeat(1000))).toMatchObject({ ok: false, reason: "full", limit: "maxBytes" });
      expect(await store.put({ ...big, fields: {} }, 1)).toMatchObject({ ok: true });
      expect((await store.stats()).bytes).toBeLessThan(2 * one - 900);
    });

    it("puts many in one call, each write answered as a put of its own would be", async () => {
      const { store } = await kind.setup({ maxEntities: 3 });
      await store.put(toTestRecord({ id: "1" }), 0);
      const results = await store.putMany([
        { record: toTestRecord({ id: "2" }), expectedVersion: 0 },
        { record: toTestRecord({ id: "1", state: "refundclose" }), expectedVersion: 0 },
        { record: toTestRecord({ id: "" }), expectedVersion: 0 },
        { record: toTestRecord({ id: "1", state: "refundsuccess" }), expectedVersion: 1 },
        { record: toTestRecord({ id: "3" }), expectedVersion: 0 },
        { record: toTestRecord({ id: "4" }), expectedVersion: 0 },
        { record: toTestRecord({ id: "3", state: "refundclose" }), expectedVersion: 1 },
      ]);
      expect(results.map((r) => (r.ok ? r.version : r.reason))).toEqual([1, "conflict", "invalid", 2, 1, "full", 2]);
      expect((await store.list({ limit: 10 })).records.map((r) => `${r.id}:${r.state}:${r.version}`)).toEqual(["1:refundsuccess:2", "2:waitselleragree:1", "3:refundclose:2"]);
      expect(await store.stats()).toMatchObject({ entities: 3 });
      expect(await store.putMany([])).toEqual([]);
    });

    it("refuses pushes beyond maxPushes and sequences or meta beyond maxKeys", async () => {
      const { store } = await kind.setup({ maxPushes: 1, maxKeys: 2 });
      expect(await store.append(toPush())).toEqual({ ok: true, id: 1 });
      expect(await store.append(toPush())).toMatchObject({ ok: false, reason: "full", limit: "maxPushes" });
      expect(await store.nextSequence("tenant-a", "x")).toEqual({ ok: true, value: 1 });
      expect(await store.setMeta("clock", { offsetMs: 5 })).toEqual({ ok: true });
      expect(await store.nextSequence("tenant-a", "y")).toMatchObject({ ok: false, reason: "full", limit: "maxKeys" });
      expect(await store.setMeta("other", 1)).toMatchObject({ ok: false, reason: "full", limit: "maxKeys" });
      expect(await store.nextSequence("tenant-a", "x")).toEqual({ ok: true, value: 2 });
      expect(await store.setMeta("clock", { offsetMs: 6 })).toEqual({ ok: true });
      expect(await store.stats()).toMatchObject({ pushes: 1, keys: 2 });
    });

    it("writes an entity and its pushes in one transaction: both, or neither on a conflict; an outbox full of pending pushes refuses the pushes, not the write", async () => {
      const { store } = await kind.setup({ maxPushes: 2 });
      expect(await store.putWithPushes(toTestRecord(), 0, [toPush(), toPush({ topic: "OTHER" })])).toEqual({ ok: true, version: 1 });
      expect((await store.listPushes({ limit: 10 })).pushes.map((p) => [p.id, p.topic, p.state])).toEqual([[1, "ORDER_PRICE_MODIFY", "pending"], [2, "OTHER", "pending"]]);
      // A conflict: neither the entity nor the push.
      expect(await store.putWithPushes(toTestRecord({ state: "refundclose" }), 0, [toPush()])).toMatchObject({ ok: false, reason: "conflict", version: 1 });
      // The outbox holds 2 pending pushes, its bound: the entity is written, its push refused (said and counted).
      const refused = await store.putWithPushes(toTestRecord({ state: "waitbuyersend" }), 1, [toPush()]);
      expect(refused).toMatchObject({ ok: true, version: 2, refusedPushes: { count: 1, message: expect.stringContaining("maxPushes is 2") } });
      expect(await store.stats()).toMatchObject({ entities: 1, pushes: 2, refusedPushes: 1 });
      expect(await store.putWithPushes(toTestRecord({ state: "refundclose" }), 1, [toPush()])).toMatchObject({ ok: false, reason: "conflict" });
      // A push that is not storable refuses the write before anything is written.
      expect(await store.putWithPushes(toTestRecord({ state: "refundclose" }), 2, [toPush({ tenant: "" })])).toMatchObject({ ok: false, reason: "invalid" });
      expect(await store.stats()).toMatchObject({ entities: 1, pushes: 2 });
      expect(await store.putWithPushes(toTestRecord({ state: "refundclose" }), 2, [])).toEqual({ ok: true, version: 3 });
      const stats = await store.stats();
      const pushes = (await store.listPushes({ limit: 10 })).pushes;
      const stored = await store.get("tenant-a", toTestRecord().type, toTestRecord().id);
      expect(stored?.state).toBe("refundclose");
      expect(pushes).toHaveLength(2);
      expect(stats.bytes).toBeGreaterThan(0);
    });

    it("records the attempts of a delivered batch in one call, each answered as recordAttempt would, in order", async () => {
      const { store } = await kind.setup();
      for (let i = 0; i < 3; i++) await store.append(toPush());
      await store.claimDue(T0, "r", 1000, 2);
      const results = await store.recordAttempts([
        { id: 1, attempt: { at: T0, owner: "r", status: 200 }, outcome: "done" },
        { id: 3, attempt: { at: T0, owner: "r", status: 200 }, outcome: "done" },
        { id: 9, attempt: { at: T0, owner: "r" }, outcome: "done" },
        { id: 2, attempt: { at: 1.5, owner: "r" }, outcome: "done" },
        { id: 2, attempt: { at: T0, owner: "r", status: 500 }, outcome: { nextAt: T0 + 5 } },
      ]);
      expect(results.map((r) => (r.ok ? "ok" : r.reason))).toEqual(["ok", "not-claimed", "unknown", "invalid", "ok"]);
      expect((await store.listPushes({ limit: 10 })).pushes.map((p) => [p.id, p.state, p.attemptCount, p.dueAt - T0])).toEqual([
        [1, "done", 1, 0],
        [2, "pending", 1, 5],
        [3, "pending", 0, 0],
      ]);
      expect(await store.stats()).toMatchObject({ pushes: 3, finishedPushes: 1 });
    });

    it("records an attempt given with the push as claimed just as one without it, and answers alike when the push is no longer as claimed", async () => {
      // Two stores fed the same calls, one recording with the claimed pushes, one without: same pushes, same counts.
      const run = async (withClaimed: boolean) => {
        const { store } = await kind.setup({ maxPushHistory: 3 });
        for (let i = 0; i < 5; i++) await store.append(toPush());
        const answers: unknown[] = [];
        for (let round = 0; round < 3; round++) {
          const claimed = await store.claimDue(T0 + round * 100, "r", 50, 10);
          const items = claimed.map((push) => ({
            id: push.id,
            attempt: { at: T0 + round * 100, owner: "r", url: "http://127.0.0.1:9/p", ...(push.id % 2 ? { status: 200 } : { error: "no HTTP 200 within 1000 ms", latencyMs: 1000 }) },
            outcome: push.id % 2 ? ("done" as const) : { nextAt: T0 + (round + 1) * 100 },
            ...(withClaimed ? { claimed: push } : {}),
          }));
          answers.push(await store.recordAttempts(items));
        }
        // Stale claimed records: a push taken over (the lease ended), recorded by its new owner, then one written as finished.
        const [push2] = await store.claimDue(T0 + 300, "old", 10, 1);
        const [taken] = await store.claimDue(T0 + 310, "new", 1000, 1);
        answers.push(await store.recordAttempts([{ id: taken!.id, attempt: { at: T0 + 311, owner: "new", status: 200 }, outcome: "done", ...(withClaimed ? { claimed: taken! } : {}) }]));
        answers.push(await store.recordAttempts([{ id: push2!.id, attempt: { at: T0 + 312, owner: "old", status: 200 }, outcome: "done", ...(withClaimed ? { claimed: push2! } : {}) }]));
        // Claimed again by the same owner after an attempt it did not hear about: the claimed copy is out of date (attemptCount), the store's row wins.
        await store.append(toPush());
        const [first] = await store.claimDue(T0 + 400, "r", 10, 1);
        await store.recordAttempt(first!.id, { at: T0 + 401, owner: "r", status: 503 }, { nextAt: T0 + 402 });
        await store.claimDue(T0 + 402, "r", 10, 10);
        answers.push(await store.recordAttempts([{ id: first!.id, attempt: { at: T0 + 403, owner: "r", status: 200 }, outcome: "done", ...(withClaimed ? { claimed: first! } : {}) }]));
        answers.push(await store.recordAttempts([{ id: 1, attempt: { at: T0, owner: "r" }, outcome: "done", ...(withClaimed ? { claimed: { attemptCount: -1, attempts: [] } } : {}) }]));
        const pushes = (await store.listPushes({ limit: 20 })).pushes.map((p) => [p.id, p.state, p.attemptCount, p.attempts, p.claimedBy]);
        return { answers, pushes, stats: await store.stats() };
      };
      const without = await run(false);
      const withClaimed = await run(true);
      expect(withClaimed.answers.slice(0, -1)).toEqual(without.answers.slice(0, -1));
      expect(withClaimed.answers.at(-1)).toMatchObject([{ ok: false, reason: "invalid" }]);
      expect(without.answers.at(-1)).toMatchObject([{ ok: false, reason: "unknown" }]);
      expect(withClaimed.pushes).toEqual(without.pushes);
      expect(withClaimed.stats).toEqual(without.stats);
      expect((without.answers[4] as Array<{ ok: boolean }>)[0]).toMatchObject({ ok: false, reason: "not-claimed" });
      expect(without.pushes.find((p) => p[0] === 6)).toEqual([6, "done", 2, [expect.objectContaining({ status: 503 }), expect.objectContaining({ status: 200 })], null]);
      // The bytes counted are the rows' own: forgetting every tenant brings them back to zero.
      const { store } = await kind.setup();
      await store.append(toPush());
      const [claimed] = await store.claimDue(T0, "r", 10, 1);
      await store.recordAttempts([{ id: 1, attempt: { at: T0, owner: "r", error: "x".repeat(300) }, outcome: { nextAt: T0 + 1 }, claimed: claimed! }]);
      const [again] = await store.claimDue(T0 + 1, "r", 10, 1);
      await store.recordAttempts([{ id: 1, attempt: { at: T0 + 1, owner: "r", status: 200 }, outcome: "done", claimed: again! }]);
      await store.reset("tenant-a");
      expect(await store.stats()).toEqual(EMPTY_STATS);
    });

    it("keeps a bounded history of finished pushes: the oldest finished go first, pending ones never; a full outbox of pending refuses and counts", async () => {
      const { store } = await kind.setup({ maxPushes: 4, maxPushHistory: 2 });
      for (let i = 0; i < 4; i++) expect(await store.append(toPush({ topic: `T${i + 1}` }))).toMatchObject({ ok: true, id: i + 1 });
      const finish = async (id: number, outcome: "done" | "given-up") => {
        await store.claimDue(T0, "r", 1000, 10);
        expect(await store.recordAttempt(id, { at: T0, owner: "r", status: 200 }, outcome)).toEqual({ ok: true });
      };
      // Full of pending: refused, counted, nothing dropped.
      expect(await store.append(toPush({ topic: "T5" }))).toMatchObject({ ok: false, reason: "full", limit: "maxPushes" });
      expect(await store.stats()).toMatchObject({ pushes: 4, finishedPushes: 0, refusedPushes: 1 });
      await finish(2, "done");
      await finish(1, "given-up");
      await finish(3, "done");
      // The history holds 2: the oldest finished (push 1) is gone; pending push 4 stays.
      const ids = async () => (await store.listPushes({ limit: 10 })).pushes.map((p) => `${p.id}:${p.state}`);
      expect(await ids()).toEqual(["2:done", "3:done", "4:pending"]);
      // A new push takes the room of no one: 3 of 4 kept. Then the next ones drop the oldest finished to make room.
      expect(await store.append(toPush({ topic: "T5" }))).toMatchObject({ ok: true, id: 5 });
      expect(await store.putWithPushes(toTestRecord(), 0, [toPush({ topic: "T6" }), toPush({ topic: "T7" })])).toEqual({ ok: true, version: 1 });
      expect(await ids()).toEqual(["4:pending", "5:pending", "6:pending", "7:pending"]);
      const stats = await store.stats();
      expect(stats).toMatchObject({ pushes: 4, finishedPushes: 0, finishedBytes: 0, refusedPushes: 1 });
    });

    it("bounds the history's bytes too, and a tenant's reset takes its finished pushes out of the counts", async () => {
      const one = await (async () => {
        const { store } = await kind.setup();
        await store.append(toPush());
        await store.claimDue(T0, "r", 1000, 1);
        await store.recordAttempt(1, { at: T0, owner: "r", status: 200 }, "done");
        return (await store.stats()).finishedBytes;
      })();
      const { store } = await kind.setup({ maxPushHistoryBytes: 2 * one + 10 });
      for (const tenant of ["tenant-a", "tenant-b", "tenant-a"]) await store.append(toPush({ tenant }));
      await store.claimDue(T0, "r", 1000, 10);
      for (const id of [1, 2, 3]) await store.recordAttempt(id, { at: T0, owner: "r", status: 200 }, "done");
      expect((await store.listPushes({ limit: 10 })).pushes.map((p) => p.id)).toEqual([2, 3]);
      expect(await store.stats()).toMatchObject({ pushes: 2, finishedPushes: 2, finishedBytes: 2 * one });
      await store.reset("tenant-a");
      expect(await store.stats()).toMatchObject({ pushes: 1, finishedPushes: 1, finishedBytes: one });
      await store.reset("tenant-b");
      expect(await store.stats()).toEqual(EMPTY_STATS);
    });

    it("finds the entities whose earliest timer is due, of every tenant, earliest first, a page at a time", async () => {
      const { store } = await kind.setup();
      const timers = (...ats: number[]) => ats.map((at, i) => ({ action: `t${i}`, at }));
      await store.put(toTestRecord({ id: "late", timers: timers(T0 + 50, T0 + 9_000) }), 0);
      await store.put(toTestRecord({ id: "early", timers: timers(T0 + 20, T0 + 10) }), 0);
      await store.put(toTestRecord({ id: "future", timers: timers(T0 + 60_000) }), 0);
      await store.put(toTestRecord({ id: "none", timers: [] }), 0);
      await store.put(toTestRecord({ tenant: "tenant-b", id: "late", timers: timers(T0 + 50) }), 0);
      const ids: string[] = [];
      let after: DueKey | undefined;
      let pages = 0;
      do {
        const page = await store.listDue({ now: T0 + 100, limit: 2, ...(after ? { after } : {}) });
        ids.push(...page.records.map((r) => `${r.tenant}/${r.id}`));
        after = page.next ?? undefined;
        pages++;
      } while (after && pages < 10);
      expect(ids).toEqual(["tenant-a/early", "tenant-a/late", "tenant-b/late"]);
      expect(pages).toBe(2);
      // A write moves the entity's next timer: fired (none left) or later.
      const early = (await store.get("tenant-a", "alibaba-refund", "early"))!;
      expect(await store.put({ ...early, timers: [] }, early.version)).toMatchObject({ ok: true });
      const late = (await store.get("tenant-a", "alibaba-refund", "late"))!;
      expect(await store.put({ ...late, timers: timers(T0 + 9_000) }, late.version)).toMatchObject({ ok: true });
      expect((await store.listDue({ now: T0 + 100, limit: 10 })).records.map((r) => `${r.tenant}/${r.id}`)).toEqual(["tenant-b/late"]);
      expect((await store.listDue({ now: T0 + 60_000, limit: 10 })).records.map((r) => r.id)).toEqual(["late", "late", "future"]);
      await expect(store.listDue({ now: 1.5, limit: 1 })).rejects.toThrow(/now must be an integer/);
      expect(await store.put(toTestRecord({ id: "bad", timers: [{ action: "x", at: Number.NaN }] }), 0)).toMatchObject({ ok: false, reason: "invalid" });
    });

    it("counts 1, 2, 3 per tenant and name, and never gives one number twice to two writers", async () => {
      const { store, openAnother } = await kind.setup();
      const other = await openAnother();
      expect(await store.nextSequence("tenant-a", "alibaba-refund")).toEqual({ ok: true, value: 1 });
      expect(await store.nextSequence("tenant-a", "alibaba-refund")).toEqual({ ok: true, value: 2 });
      expect(await store.nextSequence("tenant-a", "taobao-order")).toEqual({ ok: true, value: 1 });
      expect(await store.nextSequence("tenant-b", "alibaba-refund")).toEqual({ ok: true, value: 1 });
      const values = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).nextSequence("tenant-c", "x")));
      expect(values.map((v) => (v.ok ? v.value : 0)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.nextSequence("tenant-a", "")).toMatchObject({ ok: false, reason: "invalid" });
    });

    it("keeps meta values and push payloads exact, a bare bigint too", async () => {
      const { store } = await kind.setup();
      await store.setMeta("big", -12345678901234567890n);
      expect(await store.getMeta("big")).toBe(-12345678901234567890n);
      await store.append(toPush({ payload: 12345678901234567890n }));
      await store.append(toPush({ payload: ["\u0000", "\\u0000bigint:1", { a: [[9007199254740993n]] }] }));
      expect((await store.listPushes({ limit: 5 })).pushes.map((p) => p.payload)).toEqual([12345678901234567890n, ["\u0000", "\\u0000bigint:1", { a: [[9007199254740993n]] }]]);
    });

    it("keeps meta values, bigints exact, until they are replaced", async () => {
      const { store } = await kind.setup();
      expect(await store.getMeta("clock")).toBeUndefined();
      expect(await store.setMeta("clock", { mode: "offset", offsetMs: -3600_000, id: 9007199254740993n })).toEqual({ ok: true });
      expect(await store.getMeta("clock")).toEqual({ mode: "offset", offsetMs: -3600_000, id: 9007199254740993n });
      await store.setMeta("clock", { mode: "frozen", at: T0 });
      expect(await store.getMeta("clock")).toEqual({ mode: "frozen", at: T0 });
      expect(await store.setMeta("bad", Number.NaN)).toMatchObject({ ok: false, reason: "invalid" });
      expect(await store.stats()).toMatchObject({ keys: 1 });
    });

    it("claims a push only once it is due, holds it for the lease, then lets another owner take it over", async () => {
      const { store } = await kind.setup();
      expect(await store.append(toPush({ dueAt: T0 + 1000 }))).toEqual({ ok: true, id: 1 });
      expect(await store.claimDue(T0 + 999, "replica-1", 30_000, 10)).toEqual([]);
      const [claimed] = await store.claimDue(T0 + 1000, "replica-1", 30_000, 10);
      expect(claimed).toMatchObject({ id: 1, state: "pending", claimedBy: "replica-1", claimedUntil: T0 + 31_000, attemptCount: 0, payload: { orderId: 1234567890123456789n, price: "12.50" } });
      expect(await store.claimDue(T0 + 30_999, "replica-2", 30_000, 10)).toEqual([]);
      const [taken] = await store.claimDue(T0 + 31_000, "replica-2", 30_000, 10);
      expect(taken).toMatchObject({ id: 1, claimedBy: "replica-2" });
      // The first owner woke up late: its report is refused, the new owner's is kept.
      expect(await store.recordAttempt(1, { at: T0 + 31_001, owner: "replica-1", status: 200 }, "done")).toMatchObject({ ok: false, reason: "not-claimed" });
      expect(await store.recordAttempt(1, { at: T0 + 31_002, owner: "replica-2", url: "http://127.0.0.1:9/push", status: 500, latencyMs: 12.5 }, { nextAt: T0 + 1_831_002 })).toEqual({ ok: true });
      const [after] = (await store.listPushes({ limit: 10 })).pushes;
      expect(after).toMatchObject({ state: "pending", dueAt: T0 + 1_831_002, claimedBy: null, claimedUntil: null, attemptCount: 1 });
      expect(after!.attempts).toEqual([{ at: T0 + 31_002, owner: "replica-2", url: "http://127.0.0.1:9/push", status: 500, latencyMs: 12.5 }]);
      expect(await store.claimDue(T0 + 1_831_001, "replica-1", 30_000, 10)).toEqual([]);
      expect(await store.claimDue(T0 + 1_831_002, "replica-1", 30_000, 10)).toHaveLength(1);
      expect(await store.recordAttempt(1, { at: T0 + 1_831_003, owner: "replica-1", status: 200 }, "done")).toEqual({ ok: true });
      expect(await store.claimDue(T0 + 99_999_999, "replica-3", 30_000, 10)).toEqual([]);
      expect((await store.listPushes({ state: "done", limit: 10 })).pushes.map((p) => [p.id, p.attemptCount])).toEqual([[1, 2]]);
    });

    it("claims the earliest due first, at most `limit`, and gives up a push when told", async () => {
      const { store } = await kind.setup();
      for (const dueAt of [T0 + 30, T0 + 10, T0 + 20, T0 + 10]) await store.append(toPush({ dueAt }));
      expect((await store.claimDue(T0 + 100, "r", 1000, 3)).map((p) => p.id)).toEqual([2, 4, 3]);
      expect(await store.recordAttempt(2, { at: T0 + 101, owner: "r", error: "e".repeat(5000) }, "given-up")).toEqual({ ok: true });
      const given = (await store.listPushes({ state: "given-up", limit: 10 })).pushes;
      expect(given.map((p) => p.id)).toEqual([2]);
      expect(given[0]!.attempts[0]!.error).toHaveLength(2000);
      expect(await store.recordAttempt(2, { at: T0 + 102, owner: "r" }, "done")).toMatchObject({ ok: false, reason: "not-claimed" });
      expect(await store.recordAttempt(99, { at: T0 + 102, owner: "r" }, "done")).toMatchObject({ ok: false, reason: "unknown" });
      expect(await store.recordAttempt(3, { at: Number.NaN, owner: "r" }, "done")).toMatchObject({ ok: false, reason: "invalid" });
      expect(await store.recordAttempt(3, { at: T0, owner: "r" }, { nextAt: -1 })).toMatchObject({ ok: false, reason: "invalid" });
    });

    it("keeps the last attempts of a push, and counts them all", async () => {
      const { store } = await kind.setup();
      await store.append(toPush());
      for (let i = 0; i < MAX_ATTEMPTS_KEPT + 5; i++) {
        await store.claimDue(T0 + i, "r", 1, 1);
        expect(await store.recordAttempt(1, { at: T0 + i, owner: "r", status: 500 }, { nextAt: T0 + i + 1 })).toEqual({ ok: true });
      }
      const [push] = (await store.listPushes({ limit: 1 })).pushes as [PushRecord];
      expect(push.attemptCount).toBe(MAX_ATTEMPTS_KEPT + 5);
      expect(push.attempts.map((a) => a.at)).toEqual(Array.from({ length: MAX_ATTEMPTS_KEPT }, (_, i) => T0 + 5 + i));
    });

    it("never gives the same push to two claimers at once", async () => {
      const { store, openAnother } = await kind.setup();
      const other = await openAnother();
      for (let i = 0; i < 40; i++) await store.append(toPush({ dueAt: T0 + (i % 5) }));
      const [first, second] = await Promise.all([claimUntilEmpty(store, "replica-1", T0 + 10), claimUntilEmpty(other, "replica-2", T0 + 10)]);
      const all = [...first, ...second].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it("pages through pushes by id, filtered by tenant and state", async () => {
      const { store } = await kind.setup();
      for (let i = 0; i < 7; i++) await store.append(toPush({ tenant: i % 2 ? "tenant-b" : "tenant-a" }));
      const first = await store.listPushes({ tenant: "tenant-a", limit: 3 });
      expect(first.pushes.map((p) => p.id)).toEqual([1, 3, 5]);
      expect(first.next).toBe(5);
      const second = await store.listPushes({ tenant: "tenant-a", limit: 3, after: 5 });
      expect(second).toMatchObject({ next: null });
      expect(second.pushes.map((p) => p.id)).toEqual([7]);
      expect((await store.listPushes({ state: "done", limit: 10 })).pushes).toEqual([]);
      expect((await store.listPushes({ state: "nonsense" as "done", limit: 10 })).pushes).toEqual([]);
    });

    it("forgets everything on reset, and counts from the start again", async () => {
      const { store } = await kind.setup();
      await store.put(toTestRecord(), 0);
      await store.append(toPush());
      await store.append(toPush());
      await store.nextSequence("tenant-a", "x");
      await store.setMeta("clock", 1);
      await store.reset();
      expect(await store.stats()).toEqual(EMPTY_STATS);
      expect(await store.get("tenant-a", "alibaba-refund", "TQ1001")).toBeUndefined();
      expect(await store.getMeta("clock")).toBeUndefined();
      expect(await store.append(toPush())).toEqual({ ok: true, id: 1 });
      expect(await store.nextSequence("tenant-a", "x")).toEqual({ ok: true, value: 1 });
      expect(await store.put(toTestRecord(), 0)).toEqual({ ok: true, version: 1 });
      expect(await store.get("tenant-a", "alibaba-refund", "TQ1001")).toMatchObject({ version: 1 });
    });

    it("brings every count back to zero when each tenant is reset after mixed writes", async () => {
      const { store } = await kind.setup();
      for (const tenant of ["tenant-a", "tenant-b"]) {
        await store.put(toTestRecord({ tenant }), 0);
        await store.put(toTestRecord({ tenant, fields: { grown: "x".repeat(300) } }), 1);
        await store.put(toTestRecord({ tenant, id: "2" }), 0);
        await store.append(toPush({ tenant }));
        await store.nextSequence(tenant, "x");
      }
      await store.claimDue(T0, "r", 1000, 10);
      await store.recordAttempt(1, { at: T0, owner: "r", error: "timeout" }, { nextAt: T0 + 5 });
      await store.reset("tenant-a");
      await store.reset("tenant-b");
      expect(await store.stats()).toEqual(EMPTY_STATS);
    });

    it("answers the same to the same sequence of calls, here and in every other kind of store", async () => {
      const [a, b, reference] = [await kind.setup(), await kind.setup(), await kinds.find((k) => k.name === "SQLite memory")!.setup()];
      const answers = await runScript(a.store);
      expect(await runScript(b.store)).toEqual(answers);
      expect(answers).toEqual(await runScript(reference.store));
    });

    it("refuses calls once closed", async () => {
      const { store } = await kind.setup();
      await store.close();
      await expect(store.get("tenant-a", "alibaba-refund", "TQ1001")).rejects.toThrow(/closed/);
      await store.close();
    });
  });
}
