import type { Operation } from "../../schemas/catalog.js";
import { checkPandaponTimestamp, verifyPandaponSignature } from "../../signing/verify.js";
import type { NonceMemory } from "../nonce-memory.js";
import type { MockOptions, PandaponKey } from "../options.js";
import type { PandaponErrorName } from "../../protocol/pandapon-error-table.js";

export type Authentication = { ok: true; key: PandaponKey } | { ok: false; error: PandaponErrorName; message: string };

const REQUIRED_HEADERS = ["access-key", "timestamp", "user-id", "signature"] as const;
/** The manual: nonce-str is "随机字符串32位", a random string of 32 characters. */
const NONCE_MAX_LENGTH = 32;

/**
 * System headers present, nonce-str no longer than documented, key known, timestamp inside the
 * window, signature matching, nonce not replayed and room to remember it (docs/protocols.md:
 * system headers). Warehouse-logistics operations carry `timestamp` and `sign` in the query instead
 * (their key: the `access-key` header when sent, else the first configured key; docs/protocols.md:
 * warehouse operations).
 */
export function authenticatePandapon(
  operation: Operation,
  headers: Readonly<Record<string, string | undefined>>,
  query: Map<string, string>,
  rawBody: string,
  options: MockOptions,
  nonces: NonceMemory,
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
  const nonce = values["nonce-str"];
  if (nonce && nonce.length > NONCE_MAX_LENGTH) {
    return { ok: false, error: "NONCE_TOO_LONG", message: `Invalid nonce-str: ${nonce.length} characters, longer than the documented ${NONCE_MAX_LENGTH} characters; send a fresh random string of ${NONCE_MAX_LENGTH} characters with every request.` };
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
  const verdict = nonce ? nonces.remember(key.accessKey, nonce) : "fresh";
  if (verdict === "replayed") {
    return { ok: false, error: "NONCE_REPLAYED", message: `Replayed nonce-str "${nonce}": send a fresh 32-character random string with every request.` };
  }
  if (verdict === "full") {
    const windowSeconds = Math.round(options.pandapon.windowMs / 1000);
    return {
      ok: false,
      error: "REPLAY_MEMORY_FULL",
      message:
        `Replay memory full: it holds ${nonces.capacity} nonces (nonceMemoryBytes=${options.nonceMemoryBytes}), each kept for twice the ±${windowSeconds} s window so that no replay gets through, ` +
        `and the oldest is forgotten in ${Math.ceil(nonces.readMsUntilRoom() / 1000)} s: retry then, or start the mock with a larger nonceMemoryBytes.`,
    };
  }
  return { ok: true, key };
}
