import type { MockRequest } from "../exchange.js";
import { toHash53 } from "../to-hash53.js";

/** Two hex digits for each byte value. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** murmur3's finalizer: a bijection of 32-bit integers that spreads every input bit over the output. */
function toMixed32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The requestId of one PandaPon request: 32 hex characters, like the real ones, from a hash of the
 * whole signed request (the seed, method, path, query, system headers and the raw body's bytes).
 * The same bytes give the same id; another nonce, timestamp, signature or body gives another, even
 * when the answer's data is the same (and shared from the answer cache).
 */
export function toPandaponRequestId(seed: string | number, req: MockRequest): string {
  const h = req.headers;
  const hash = toHash53([String(seed), req.method, req.path, req.query, h["access-key"] ?? "", h.timestamp ?? "", h["nonce-str"] ?? "", h["user-id"] ?? "", h.signature ?? ""], req.rawBody);
  const low = hash >>> 0;
  const high = (hash - low) / 4294967296;
  // Four words from the 53 bits, each mixed with the previous one: the first two alone give the hash back, so no two hashes share an id.
  let id = "";
  let word = low;
  for (let k = 1; k <= 4; k++) {
    word = toMixed32(word ^ Math.imul(high + k, 0x9e3779b9));
    id += HEX_PAIRS[word >>> 24]! + HEX_PAIRS[(word >>> 16) & 255]! + HEX_PAIRS[(word >>> 8) & 255]! + HEX_PAIRS[word & 255]!;
  }
  return id;
}
