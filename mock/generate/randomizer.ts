import type { Randomizer } from "@faker-js/faker";

/**
 * A faker `Randomizer` on sfc32: reseeding costs nanoseconds (faker's default Mersenne Twister
 * costs ~60 µs per seed, too slow to reseed for every request). Same seed, same sequence, anywhere.
 */
export function createRandomizer(seed = 0): Randomizer {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const reseed = (value: number | number[]): void => {
    const values = Array.isArray(value) ? value : [value];
    a = 0x9e3779b9;
    b = 0x243f6a88;
    c = 0xb7e15162;
    d = 1;
    for (const v of values) {
      a ^= v | 0;
      b ^= Math.imul(v | 0, 0x85ebca6b);
      for (let i = 0; i < 4; i++) next();
    }
    for (let i = 0; i < 8; i++) next();
  };
  reseed(seed);
  return { next, seed: reseed };
}

/**
 * FNV-1a over a string: turns (seed, operation, request) into a 32-bit seed. `from`: the hash of
 * a prefix, to hash the rest onto (hashToSeed(b, hashToSeed(a)) === hashToSeed(a + b)).
 */
export function hashToSeed(text: string, from = 0x811c9dc5): number {
  let h = from;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
