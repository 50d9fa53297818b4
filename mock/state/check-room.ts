import type { Refusal, StoreLimits, StoreStats } from "./store.js";

/** How much a write adds to the store's totals (negative when it frees room). */
export type Growth = Partial<Omit<StoreStats, "bytes">> & { bytes: number };

const COUNTED: Array<[keyof StoreStats, keyof StoreLimits, string]> = [
  ["entities", "maxEntities", "entities"],
  ["pushes", "maxPushes", "pushes"],
  ["keys", "maxKeys", "sequences and meta entries"],
  ["bytes", "maxBytes", "bytes"],
];

/** The refusal of a write that would take the store beyond a limit, or undefined when it fits. */
export function checkRoom(totals: StoreStats, limits: StoreLimits, growth: Growth): Refusal | undefined {
  for (const [counter, limit, what] of COUNTED) {
    const added = growth[counter] ?? 0;
    if (added > 0 && totals[counter] + added > limits[limit]) {
      const max = limits[limit];
      return {
        ok: false,
        reason: "full",
        limit,
        max,
        message: `The state store is full: this write needs ${added} more ${what} beyond the ${totals[counter]} stored, and ${limit} is ${max}. Reset a tenant (or everything), or open the store with a higher ${limit}.`,
      };
    }
  }
  return undefined;
}

export function toInvalid(message: string): Refusal {
  return { ok: false, reason: "invalid", message };
}
