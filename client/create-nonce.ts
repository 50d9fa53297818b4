import { randomBytes } from "node:crypto";

/** A fresh `nonce-str`: 32 random lower-case hex characters (the docs ask for a 32-character random string). */
export function createNonce(): string {
  return randomBytes(16).toString("hex");
}
