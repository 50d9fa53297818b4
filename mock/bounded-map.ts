/**
 * A map of at most `capacity` entries: when full, a new key replaces the oldest one (first in,
 * first out, through a ring of keys: O(1) per call however many entries come and go).
 * Capacity 0 keeps nothing.
 */
export interface BoundedMap<V, K extends string | number = string> {
  get(key: K): V | undefined;
  /** Updates an existing key in place; a new key may push the oldest one out. */
  set(key: K, value: V): void;
  readonly size: number;
}

export function createBoundedMap<V, K extends string | number = string>(capacity: number): BoundedMap<V, K> {
  const values = new Map<K, V>();
  const ring: Array<K | undefined> = new Array<K | undefined>(Math.max(0, capacity));
  let next = 0;
  return {
    get: (key) => values.get(key),
    set(key, value) {
      if (capacity <= 0) return;
      if (!values.has(key)) {
        const oldest = ring[next];
        if (oldest !== undefined) values.delete(oldest);
        ring[next] = key;
        next = (next + 1) % capacity;
      }
      values.set(key, value);
    },
    get size() {
      return values.size;
    },
  };
}
