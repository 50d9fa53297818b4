import { createHash, createHmac, timingSafeEqual } from "node:crypto";

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
  return createHash(algorithm).update(data).digest("hex");
}

/**
 * Compares two strings in time that depends only on their digests, never on where they differ
 * (both sides are hashed to a fixed length first, so even the length is not leaked).
 */
export function isSameSecretValue(actual: string, expected: string): boolean {
  const a = createHash("sha256").update(actual).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
