import { createHmac, hash, timingSafeEqual } from "node:crypto";

/** Digest algorithms a signature scheme may use. `hmac-*` take the secret as the key. */
export type DigestAlgorithm = "md5" | "sha1" | "sha256" | "hmac-md5" | "hmac-sha1" | "hmac-sha256";

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  "md5",
  "sha1",
  "sha256",
  "hmac-md5",
  "hmac-sha1",
  "hmac-sha256",
];

export function isHmac(algorithm: DigestAlgorithm): boolean {
  return algorithm.startsWith("hmac-");
}

/** Lower-case hex digest of UTF-8 `data`; HMAC algorithms key with UTF-8 `key`. */
export function toHexDigest(algorithm: DigestAlgorithm, data: string | Buffer, key = ""): string {
  if (isHmac(algorithm)) {
    return createHmac(algorithm.slice(5), key).update(data).digest("hex");
  }
  // One-shot hash (Node ≥ 20.12): half the cost of a Hash object for a signature-sized input.
  return hash(algorithm, data, "hex");
}

/**
 * Compares a received signature with the expected one in constant time: the time never depends on
 * where they differ. Lengths are compared first (a signature's length is public: 32 or 64 hex);
 * equal lengths go through `timingSafeEqual`.
 */
export function isSameSecretValue(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A received hex signature compared, in either case, with the expected one in upper case. Only
 * ASCII hex digits can match: `toUpperCase` alone turns other characters into hex ones (the
 * ligature ﬀ into FF), so a signature spelt with them would pass.
 */
export function isSameHexIgnoringCase(actual: string, expectedUpper: string): boolean {
  return /^[0-9a-fA-F]*$/.test(actual) && isSameSecretValue(actual.toUpperCase(), expectedUpper);
}
