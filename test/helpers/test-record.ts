import type { EntityRecord } from "../../mock/state/entity.js";

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
