/**
 * A map of at most `capacity` entries and, when given a byte bound, at most `maxBytes` bytes (as
 * `sizeOf` counts them): when full, new keys push the oldest ones out (first in, first out, through
 * a ring of keys: O(1) per call however many entries come and go). Capacity 0 keeps nothing.
 */
export interface BoundedMap<V, K extends string | number = string> {
  get(key: K): V | undefined;
  /**
   * Updates an existing key in place; a new key may push the oldest ones out. An entry over
   * `maxEntryBytes` is not kept (and an existing key given such a value is forgotten).
   */
  set(key: K, value: V): void;
  /** The values, oldest first. */
  values(): IterableIterator<V>;
  readonly size: number;
  /** What the entries weigh together (0 without a byte bound). */
  readonly bytes: number;
}

export interface ByteBound<V, K> {
  maxBytes: number;
  /** An entry's weight: e.g. its texts' lengths (wire text is one byte per character) plus an overhead. */
  sizeOf(key: K, value: V): number;
  /** The heaviest entry kept (default maxBytes): one large entry must not flush the others. */
  maxEntryBytes?: number;
}

/** One entry: its value, its weight, and its place in the ring (a forgotten key may linger there). */
interface Slot<V> {
  value: V;
  bytes: number;
  at: number;
}

export function createBoundedMap<V, K extends string | number = string>(capacity: number, bound?: ByteBound<V, K>): BoundedMap<V, K> {
  const slots = new Map<K, Slot<V>>();
  const ring: Array<K | undefined> = new Array<K | undefined>(Math.max(0, capacity));
  const maxBytes = bound?.maxBytes ?? Infinity;
  const maxEntryBytes = Math.min(bound?.maxEntryBytes ?? maxBytes, maxBytes);
  // Ring positions count up forever; the oldest live one is `head`, the next free one `tail`.
  let head = 0;
  let tail = 0;
  let bytes = 0;
  const dropOldest = () => {
    const key = ring[head % capacity]!;
    ring[head % capacity] = undefined;
    const slot = slots.get(key);
    if (slot?.at === head) {
      slots.delete(key);
      bytes -= slot.bytes;
    }
    head += 1;
  };
  return {
    get: (key) => slots.get(key)?.value,
    set(key, value) {
      if (capacity <= 0) return;
      const size = bound ? bound.sizeOf(key, value) : 0;
      const slot = slots.get(key);
      if (size > maxEntryBytes) {
        if (slot) {
          slots.delete(key);
          bytes -= slot.bytes;
        }
        return;
      }
      if (slot) {
        bytes += size - slot.bytes;
        slot.value = value;
        slot.bytes = size;
        while (bytes > maxBytes && tail > head) dropOldest();
        return;
      }
      while (tail - head >= capacity || (tail > head && bytes + size > maxBytes)) dropOldest();
      ring[tail % capacity] = key;
      slots.set(key, { value, bytes: size, at: tail });
      bytes += size;
      tail += 1;
    },
    *values() {
      for (const slot of slots.values()) yield slot.value;
    },
    get size() {
      return slots.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
