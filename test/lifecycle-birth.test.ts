import { describe, expect, it } from "vitest";
import type { EntityRecord } from "../mock/state/entity.js";
import { applyAction, isEntityId } from "../mock/state/apply-action.js";
import { applyDueTimers } from "../mock/state/apply-due-timers.js";
import { checkInvariants } from "../mock/state/check-invariants.js";
import { toEntityId } from "../mock/state/to-entity-id.js";
import { toJsonText } from "../protocol/json-wire.js";
import { NOW, SEED, checkFieldsAgainstSchema, setupLifecycles, toTestId } from "./lifecycle-helpers.js";

const BORN_PER_TYPE = 1000;
const { lifecycles } = setupLifecycles();

describe("born entities", () => {
  for (const lifecycle of lifecycles.values()) {
    it(`${lifecycle.type}: ${BORN_PER_TYPE} born entities satisfy every invariant and the entity's schema, and reach every state`, () => {
      const { birth } = setupLifecycles();
      const states = new Set<string>();
      for (let n = 0; n < BORN_PER_TYPE; n++) {
        const { record } = birth({ type: lifecycle.type, tenant: `tenant-${n % 3}`, id: toTestId(lifecycle, n) }, NOW);
        states.add(record.state);
        expect(checkInvariants(lifecycle, record), `${record.id} in ${record.state}: ${toJsonText(record.fields)}`).toEqual([]);
        expect(checkFieldsAgainstSchema(lifecycle, record.fields), record.id).toEqual([]);
        expect(record.history.every((h) => h.at <= NOW) && record.timers.every((t) => t.at > NOW), "times before now, timers after").toBe(true);
        expect(NOW - record.createdAt).toBeLessThanOrEqual(lifecycle.birth.age[1] * 1000 + 1000);
      }
      expect([...states].sort()).toEqual([...lifecycle.states.keys()].sort());
    });
  }

  it("are the same for the same seed, tenant, type, id and now, and differ when any of them does", () => {
    const lifecycle = lifecycles.get("alibaba-refund")!;
    const key = { type: lifecycle.type, tenant: "58c0201dfdf148eca63cbf6bb5e7cf03", id: "TQ86514937229611980" };
    const a = setupLifecycles().birth(key, NOW);
    const b = setupLifecycles().birth({ ...key }, NOW);
    expect(toJsonText(b)).toBe(toJsonText(a));
    const others = [
      setupLifecycles().birth({ ...key, id: "TQ86514937229611981" }, NOW),
      setupLifecycles().birth({ ...key, tenant: "another-tenant" }, NOW),
      setupLifecycles(SEED + 1).birth(key, NOW),
    ];
    for (const other of others) expect(toJsonText(other.record.fields)).not.toBe(toJsonText(a.record.fields));
    // A later now lets the entity live longer from another start: still coherent, and deterministic.
    const later = setupLifecycles().birth(key, NOW + 86_400_000);
    expect(toJsonText(setupLifecycles().birth(key, NOW + 86_400_000))).toBe(toJsonText(later));
  });

  for (const lifecycle of lifecycles.values()) {
    it(`${lifecycle.type}: a born entity stays put as the clock moves — read later, it is the same entity, its later steps and timers added`, () => {
      const { birth } = setupLifecycles();
      const HOUR = 3_600_000;
      let same = 0;
      let unchanged = 0;
      for (let n = 0; n < 200; n++) {
        const key = { type: lifecycle.type, tenant: "t", id: toTestId(lifecycle, n) };
        const now = birth(key, NOW).record;
        const later = birth(key, NOW + HOUR).record;
        // A new period begins for a few ids (their creation times recur once per width of the age range).
        if (later.createdAt !== now.createdAt) continue;
        same += 1;
        expect(later.history.slice(0, now.history.length), key.id).toEqual(now.history);
        if (later.history.length === now.history.length) {
          unchanged += 1;
          expect(toJsonText(later), key.id).toBe(toJsonText(now));
        }
      }
      expect(same).toBeGreaterThan(190);
      expect(unchanged).toBeGreaterThan(100);
    });

    it(`${lifecycle.type}: a born entity is the same record at any later now before its stableUntil, and not at it when a step or timer falls there`, () => {
      const { birth } = setupLifecycles();
      let changed = 0;
      for (let n = 0; n < 100; n++) {
        const key = { type: lifecycle.type, tenant: "t", id: toTestId(lifecycle, n) };
        const first = birth(key, NOW);
        expect(first.stableUntil, key.id).toBeGreaterThan(NOW);
        if (!Number.isFinite(first.stableUntil)) continue;
        const text = toJsonText(first.record);
        const last = Math.ceil(first.stableUntil / 1000) * 1000 - 1000;
        // Just before: the same record, however far the clock moved.
        if (last > NOW) expect(toJsonText(birth(key, last).record), key.id).toBe(text);
        expect(toJsonText(birth(key, Math.floor((NOW + last) / 2000) * 1000).record), key.id).toBe(text);
        if (toJsonText(birth(key, Math.ceil(first.stableUntil / 1000) * 1000).record) !== text) changed += 1;
      }
      expect(changed).toBeGreaterThan(30);
    });
  }

  it("refuses an id its id field cannot hold and a type without a lifecycle, with the reason", () => {
    const { birth } = setupLifecycles();
    expect(isEntityId(lifecycles.get("address")!, "not-a-number")).toBe(false);
    expect(isEntityId(lifecycles.get("address")!, "123456")).toBe(true);
    expect(isEntityId(lifecycles.get("address")!, "012345")).toBe(false);
    expect(isEntityId(lifecycles.get("alibaba-refund")!, "TQ1")).toBe(true);
    expect(() => birth({ type: "address", tenant: "t", id: "not-a-number" }, NOW)).toThrow(/does not fit its id field \(integer\)/);
    expect(() => birth({ type: "spaceship", tenant: "t", id: "1" }, NOW)).toThrow(/no lifecycle of that type/);
  });

  for (const lifecycle of lifecycles.values()) {
    it(`${lifecycle.type}: a born entity equals the record of a lived flow through the same actions, timers fired by the clock`, () => {
      const { birth } = setupLifecycles();
      for (let n = 0; n < 200; n++) {
        const tenant = "tenant-lived";
        const id = toTestId(lifecycle, n);
        const born = birth({ type: lifecycle.type, tenant, id }, NOW);
        // The lived flow: the client's and counter-parties' actions as they come; timeouts only by the clock.
        let record: EntityRecord | undefined;
        for (const step of born.steps.filter((s) => lifecycle.actions.get(s.action)!.actor !== "timer")) {
          if (record) record = applyDueTimers(lifecycle, record, step.at, SEED);
          const outcome = applyAction(lifecycle, record ?? { tenant, id }, step, SEED);
          if (!outcome.ok) throw new Error(`${id}: ${outcome.refusal.reason}`);
          record = outcome.record;
        }
        record = applyDueTimers(lifecycle, record!, NOW, SEED);
        expect(toJsonText(record), id).toBe(toJsonText(born.record));
      }
    });
  }
});

describe("ids of created entities", () => {
  it("are made from the seed, tenant, type and sequence: the same every run, rarely meeting (as random ids of 6 digits can), of the type's pattern", () => {
    for (const lifecycle of lifecycles.values()) {
      const ids = Array.from({ length: 200 }, (_, n) => toEntityId(lifecycle, SEED, "tenant-a", n));
      expect(ids).toEqual(Array.from({ length: 200 }, (_, n) => toEntityId(lifecycle, SEED, "tenant-a", n)));
      expect(new Set(ids).size).toBeGreaterThanOrEqual(198);
      expect(toEntityId(lifecycle, SEED, "tenant-b", 0)).not.toBe(ids[0]);
      expect(toEntityId(lifecycle, SEED + 1, "tenant-a", 0)).not.toBe(ids[0]);
      for (const id of ids) expect(isEntityId(lifecycle, id), id).toBe(true);
    }
    expect(toEntityId(lifecycles.get("alibaba-refund")!, SEED, "tenant-a", 0)).toMatch(/^TQ[1-9]\d{16}$/);
    expect(toEntityId(lifecycles.get("alibaba-order")!, SEED, "tenant-a", 0)).toMatch(/^2\d{12}880794$/);
  });
});
