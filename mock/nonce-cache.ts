/**
 * Remembers nonces for replay protection. Bounded: a ring of at most `capacity` entries, the
 * oldest overwritten first (O(1) per request, whatever the flood); entries also expire after
 * twice the time window (a replay later than that fails the timestamp check anyway).
 */
export interface NonceCache {
  /** True when the nonce was already seen and has not expired; records it otherwise. */
  isReplay(nonce: string): boolean;
  readonly size: number;
}

export function createNonceCache(options: { capacity: number; windowMs: number; now: () => number }): NonceCache {
  const capacity = Math.max(1, options.capacity);
  const expiries = new Map<string, number>();
  const ring: Array<string | undefined> = new Array<string | undefined>(capacity);
  let next = 0;
  return {
    isReplay(nonce) {
      const now = options.now();
      const expires = expiries.get(nonce);
      if (expires !== undefined && expires > now) return true;
      if (expires === undefined) {
        const oldest = ring[next];
        if (oldest !== undefined) expiries.delete(oldest);
        ring[next] = nonce;
        next = (next + 1) % capacity;
      }
      expiries.set(nonce, now + 2 * options.windowMs);
      return false;
    },
    get size() {
      return expiries.size;
    },
  };
}
