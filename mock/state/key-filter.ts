/**
 * A Bloom filter of stored entity keys: "certainly not stored" or "maybe stored". The mock asks the
 * store for every id it answers, and most ids were never written: the filter answers those in well
 * under a microsecond, where a SQLite read costs a transaction (several microseconds on a file).
 * It is exact only while this process is the store's one writer (an exclusive SQLite file, or
 * memory). A key is never removed: after a tenant's reset its keys stay "maybe", which costs a read.
 */
export interface KeyFilter {
  add(tenant: string, type: string, id: string): void;
  /** False only when the key was never added since the last clear. */
  mightHave(tenant: string, type: string, id: string): boolean;
  clear(): void;
}

/** 16 MiB of bits at most, whatever the capacity: beyond ~13 million keys false positives grow. */
const MAX_BITS = 2 ** 27;
const PROBES = 7;

/** FNV-1a over the three names (a 0 between them), as a 32-bit unsigned number. */
function toKeyHash(tenant: string, type: string, id: string): number {
  let hash = 0x811c9dc5;
  for (const text of [tenant, type, id]) {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A second, independent-looking hash (murmur3's finalizer), odd so that probes cycle the whole table. */
function toStep(hash: number): number {
  let h = hash ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) | 1) >>> 0;
}

/** A filter sized for `capacity` keys at about ten bits each (false positives ≈ 0.1–1%). */
export function createKeyFilter(capacity: number): KeyFilter {
  let bits = 1024;
  while (bits < capacity * 10 && bits < MAX_BITS) bits *= 2;
  const words = new Int32Array(bits / 32);
  const mask = bits - 1;
  return {
    add(tenant, type, id) {
      const hash = toKeyHash(tenant, type, id);
      const step = toStep(hash);
      for (let i = 0, at = hash; i < PROBES; i++, at = (at + step) >>> 0) words[(at & mask) >>> 5]! |= 1 << (at & 31);
    },
    mightHave(tenant, type, id) {
      const hash = toKeyHash(tenant, type, id);
      const step = toStep(hash);
      for (let i = 0, at = hash; i < PROBES; i++, at = (at + step) >>> 0) {
        if ((words[(at & mask) >>> 5]! & (1 << (at & 31))) === 0) return false;
      }
      return true;
    },
    clear() {
      words.fill(0);
    },
  };
}
