import { toHash53 } from "./to-hash53.js";

/**
 * "fresh": not remembered, and now remembered; "replayed": remembered; "full": not remembered and
 * no room for it (a live nonce is never forgotten to make room).
 */
export type NonceVerdict = "fresh" | "replayed" | "full";

/**
 * Remembers each nonce (a 53-bit hash of access-key and nonce-str, never the text) for twice the
 * window from its receipt: a request accepted at r carries a timestamp within ±window of r, so a
 * replay of it fails the timestamp check after r + 2·window, and not a moment earlier. Bounded in
 * bytes, O(1) per call (amortized: each nonce is forgotten once).
 */
export interface NonceMemory {
  remember(accessKey: string, nonce: string): NonceVerdict;
  /** Ms until the oldest nonce is forgotten and leaves room (0 when there is room). */
  readMsUntilRoom(): number;
  readonly size: number;
  readonly capacity: number;
  /** Bytes of its typed arrays: everything it holds, whatever the traffic. */
  readonly byteLength: number;
}

export const DEFAULT_NONCE_MEMORY_BYTES = 32 * 1024 * 1024;
/** The table: one hash per slot, 0 for an empty slot (a hash of 0 is stored as 1). */
const SLOT_BYTES = 8;
/** The ring, oldest first: each nonce's hash and the time it is forgotten after. */
const ENTRY_BYTES = 16;
/** Linear probing stays short up to a table three quarters full. */
const MAX_LOAD = 3 / 4;
const MAX_BYTES = 2 ** 32;

/** The most nonces `bytes` holds: a power-of-two table of slots, at most 3/4 full, and the ring. */
export function toNonceMemoryLayout(bytes: number): { slots: number; capacity: number } {
  const slots = 2 ** Math.floor(Math.log2(bytes / (SLOT_BYTES + ENTRY_BYTES / 2)));
  return { slots, capacity: Math.max(0, Math.min(Math.floor((bytes - slots * SLOT_BYTES) / ENTRY_BYTES), Math.floor(slots * MAX_LOAD))) };
}

export function createNonceMemory(options: { bytes: number; windowMs: number; now: () => number }): NonceMemory {
  const { slots, capacity } = toNonceMemoryLayout(options.bytes);
  if (!(capacity >= 1 && options.bytes <= MAX_BYTES)) {
    throw new Error(`Invalid nonceMemoryBytes=${options.bytes}: use a number of bytes from 32 (one nonce) to ${MAX_BYTES} (${DEFAULT_NONCE_MEMORY_BYTES} holds ${toNonceMemoryLayout(DEFAULT_NONCE_MEMORY_BYTES).capacity}).`);
  }
  const lifetimeMs = 2 * options.windowMs;
  const mask = slots - 1;
  const table = new Float64Array(slots);
  const hashes = new Float64Array(capacity);
  const expiries = new Float64Array(capacity);
  let head = 0;
  let size = 0;

  /** The slot holding `hash`, or -1 - (the empty slot where it would go). */
  const findSlot = (hash: number): number => {
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const held = table[i]!;
      if (held === hash) return i;
      if (held === 0) return -1 - i;
    }
  };
  /** Empties a slot, moving later hashes of the same run back so every probe still finds them. */
  const emptySlot = (hole: number): void => {
    for (let j = (hole + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const held = table[j]!;
      // A hash may move back to the hole when the hole lies between its home slot and j.
      if (((j - (held & mask)) & mask) >= ((j - hole) & mask)) {
        table[hole] = held;
        hole = j;
      }
    }
    table[hole] = 0;
  };
  const forgetExpired = (now: number): void => {
    while (size > 0 && expiries[head]! < now) {
      emptySlot(findSlot(hashes[head]!));
      head = head + 1 === capacity ? 0 : head + 1;
      size -= 1;
    }
  };

  return {
    remember(accessKey, nonce) {
      const now = options.now();
      forgetExpired(now);
      const hash = toHash53([accessKey, nonce]) || 1;
      const slot = findSlot(hash);
      if (slot >= 0) return "replayed";
      if (size === capacity) return "full";
      table[-1 - slot] = hash;
      const tail = (head + size) % capacity;
      hashes[tail] = hash;
      expiries[tail] = now + lifetimeMs;
      size += 1;
      return "fresh";
    },
    readMsUntilRoom() {
      return size < capacity ? 0 : Math.max(0, expiries[head]! + 1 - options.now());
    },
    get size() {
      return size;
    },
    capacity,
    byteLength: table.byteLength + hashes.byteLength + expiries.byteLength,
  };
}
