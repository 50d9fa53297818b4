import { toHexDigest } from "./digest.js";

/**
 * PandaPon message push: `Authorization` = HEX(HMAC-SHA256(Base, AccessSecret)). `Base` is not
 * spelled out; the docs say the message body is signed, so it is the raw body bytes.
 */
export function signCallback(rawBody: string | Buffer, secret: string, hexCase: "upper" | "lower" = "upper"): string {
  const hex = toHexDigest("hmac-sha256", rawBody, secret);
  return hexCase === "upper" ? hex.toUpperCase() : hex;
}
