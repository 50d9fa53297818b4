import { createBoundedMap } from "./bounded-map.js";

/**
 * Remembers nonces for replay protection. Bounded: at most `capacity` entries, the oldest
 * forgotten first (O(1) per request, whatever the flood); entries also expire after twice the
 * time window (a replay later than that fails the timestamp check anyway).
 */
export interface NonceCache {
  /** True when the nonce was already seen and has not expired; records it otherwise. */
  isReplay(nonce: string): boolean;
  readonly size: number;
}

export function createNonceCache(options: { capacity: number; windowMs: number; now: () => number }): NonceCache {
  const expiries = createBoundedMap<number>(Math.max(1, options.capacity));
  return {
    isReplay(nonce) {
      const now = options.now();
      const expires = expiries.get(nonce);
      if (expires !== undefined && expires > now) return true;
      expiries.set(nonce, now + 2 * options.windowMs);
      return false;
    },
    get size() {
      return expiries.size;
    },
  };
}
