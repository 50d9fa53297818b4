/** Closes each part: no UTF-16 code unit or byte is this large, so ("ab", "c") and ("a", "bc") hash apart. */
const PART_END = 0x10000;

/**
 * A 53-bit hash (cyrb53: two 32-bit multiply-xor lanes, crossed at the end) of texts and then
 * bytes, read one after the other. An exact integer, so it fits a Float64Array slot; the low 32
 * bits are as well mixed as the rest. The same everywhere; not cryptographic.
 */
export function toHash53(texts: readonly string[], bytes?: Uint8Array): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const text of texts) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ PART_END, 2654435761);
    h2 = Math.imul(h2 ^ PART_END, 1597334677);
  }
  if (bytes) {
    for (let i = 0; i < bytes.length; i++) {
      h1 = Math.imul(h1 ^ bytes[i]!, 2654435761);
      h2 = Math.imul(h2 ^ bytes[i]!, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
