import type { EntityRecord } from "../../mock/state/entity.js";
import type { StateStore, StoreStats } from "../../mock/state/store.js";

/** An entity record with plausible fields, changed by `overrides`. */
export function toTestRecord(overrides: Partial<EntityRecord> = {}): EntityRecord {
  return {
    type: "alibaba-refund",
    tenant: "tenant-a",
    id: "TQ1001",
    state: "waitselleragree",
    fields: { refundId: "TQ1001", orderId: 1234567890123456789n, applyPayment: 1250, gmtApply: "2026-11-20 10:00:00" },
    history: [{ at: 1_700_000_000_000, action: "create", from: null, to: "waitselleragree" }],
    timers: [{ action: "close", at: 1_700_600_000_000 }],
    version: 0,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** What the migration tests store before taking the layout back to 1: entities "two" (timers at 9 000 and 5 000) and "none", a finished and a pending push. */
export async function writeLayoutSample(store: StateStore): Promise<StoreStats> {
  await store.put(toTestRecord({ id: "two", timers: [{ action: "b", at: 9_000 }, { action: "a", at: 5_000 }] }), 0);
  await store.put(toTestRecord({ id: "none", timers: [] }), 0);
  for (const topic of ["A", "B"]) await store.append({ tenant: "tenant-a", topic, payload: {}, dueAt: 1, createdAt: 1 });
  await store.claimDue(1, "r", 10, 1);
  await store.recordAttempt(1, { at: 1, owner: "r", status: 200 }, "done");
  return store.stats();
}
