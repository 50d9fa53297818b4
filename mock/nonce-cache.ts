/**
 * Remembers nonces for replay protection. Bounded: at most `capacity` entries, oldest forgotten
 * first, and entries older than the time window expire (a replay outside it fails the timestamp check).
 */
export interface NonceCache {
  /** True when the nonce was already seen inside the window; records it otherwise. */
  isReplay(nonce: string): boolean;
  readonly size: number;
}

export function createNonceCache(options: { capacity: number; windowMs: number; now: () => number }): NonceCache {
  const seen = new Map<string, number>();
  const evict = (now: number) => {
    for (const [nonce, expires] of seen) {
      if (expires > now && seen.size <= options.capacity) break;
      seen.delete(nonce);
    }
  };
  return {
    isReplay(nonce) {
      const now = options.now();
      const expires = seen.get(nonce);
      if (expires !== undefined && expires > now) return true;
      if (expires !== undefined) seen.delete(nonce);
      seen.set(nonce, now + 2 * options.windowMs);
      if (seen.size > options.capacity) evict(now);
      return false;
    },
    get size() {
      return seen.size;
    },
  };
}
