import type { Operation } from "../../schemas/catalog.js";
import { checkPandaponTimestamp, verifyPandaponSignature } from "../../signing/verify.js";
import type { NonceCache } from "../nonce-cache.js";
import type { MockOptions, PandaponKey } from "../options.js";
import type { PandaponErrorName } from "../../protocol/pandapon-error-table.js";

export type Authentication = { ok: true; key: PandaponKey } | { ok: false; error: PandaponErrorName; message: string };

const REQUIRED_HEADERS = ["access-key", "timestamp", "user-id", "signature"] as const;

/**
 * System headers present, key known, timestamp inside the window, nonce not replayed, signature
 * matching (docs/protocols.md: system headers). Warehouse-logistics operations carry `timestamp` and
 * `sign` in the query instead (their key: the `access-key` header when sent, else the first
 * configured key; docs/protocols.md: warehouse operations).
 */
export function authenticatePandapon(
  operation: Operation,
  headers: Readonly<Record<string, string | undefined>>,
  query: Map<string, string>,
  rawBody: string,
  options: MockOptions,
  nonces: NonceCache,
): Authentication {
  const querySigned = operation.meta.auth === "query-sign";
  const values: Record<string, string | undefined> = querySigned
    ? { "access-key": headers["access-key"], "nonce-str": headers["nonce-str"], timestamp: query.get("timestamp") }
    : { "access-key": headers["access-key"], "nonce-str": headers["nonce-str"], timestamp: headers.timestamp };
  const signature = querySigned ? query.get("sign") : headers.signature;

  const required = querySigned ? ["timestamp", "sign"] : [...REQUIRED_HEADERS, ...(options.pandapon.requireNonce ? ["nonce-str"] : [])];
  for (const name of required) {
    const value = querySigned ? query.get(name) : headers[name];
    if (!value) {
      const where = querySigned ? "query parameter" : "header";
      return { ok: false, error: "MISSING_HEADER", message: `Missing ${where} "${name}": this operation needs ${required.map((n) => `"${n}"`).join(", ")}.` };
    }
  }
  const accessKey = values["access-key"];
  const key = accessKey ? options.pandapon.keys.find((k) => k.accessKey === accessKey) : querySigned ? options.pandapon.keys[0] : undefined;
  if (!key) {
    return { ok: false, error: "UNKNOWN_ACCESS_KEY", message: `Unknown access-key "${String(accessKey).slice(0, 64)}": use a key configured on the mock (the demo key is printed at start).` };
  }
  const time = checkPandaponTimestamp(values.timestamp!, options.now(), options.pandapon.windowMs);
  if (!time.ok) return { ok: false, error: "TIMESTAMP_OUT_OF_WINDOW", message: `Invalid timestamp: ${time.reason}.` };
  const signed = verifyPandaponSignature(options.pandapon.scheme, { headers: values, body: rawBody }, key.secret, signature!);
  if (!signed.ok) {
    return {
      ok: false,
      error: "BAD_SIGNATURE",
      message: `Invalid signature: the server signed the string "${signed.maskedStringToSign}" (secret masked) and got a different signature. Check the field order, separator, secret placement and digest of your signer.`,
    };
  }
  const nonce = values["nonce-str"];
  if (nonce && nonces.isReplay(`${key.accessKey}|${nonce}`)) {
    return { ok: false, error: "NONCE_REPLAYED", message: `Replayed nonce-str "${nonce.slice(0, 64)}": send a fresh 32-character random string with every request.` };
  }
  return { ok: true, key };
}
