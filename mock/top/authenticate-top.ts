import { toCappedText } from "../../protocol/capped-text.js";
import { isTopSignMethod } from "../../signing/top-sign.js";
import { checkTopTimestamp, verifyTopSignature } from "../../signing/verify.js";
import type { MockOptions } from "../options.js";
import type { TopFailure } from "../../protocol/top-error-table.js";

/**
 * TOP system parameters in the gateway's order: app_key, timestamp (±10 min, GMT+8), v, then the
 * signature over every parameter but `sign` (md5 when sign_method is absent).
 */
export function authenticateTop(params: Map<string, string>, options: MockOptions): TopFailure | undefined {
  const appKey = params.get("app_key");
  if (!appKey) return { error: "MISSING_APP_KEY" };
  const app = options.top.apps.find((a) => a.appKey === appKey);
  if (!app) return { error: "INVALID_APP_KEY", subMsg: `app_key ${appKey.slice(0, 40)} is not configured on the mock` };
  const timestamp = params.get("timestamp");
  if (!timestamp) return { error: "MISSING_TIMESTAMP" };
  const time = checkTopTimestamp(timestamp, options.now(), options.top.windowMs);
  if (!time.ok) return { error: "INVALID_TIMESTAMP", subMsg: time.reason };
  const v = params.get("v");
  if (!v) return { error: "MISSING_VERSION" };
  if (v !== "2.0" && v !== "2") return /^\d+(\.\d+)*$/.test(v) ? { error: "UNSUPPORTED_VERSION", subMsg: `v ${toCappedText(v)}: use 2.0` } : { error: "INVALID_VERSION", subMsg: "v must be 2.0" };
  const method = params.get("sign_method") ?? "md5";
  if (!isTopSignMethod(method)) return { error: "INVALID_SIGNATURE", subCode: "isv.invalid-parameter:sign_method", subMsg: `sign_method ${method.slice(0, 40)} is not md5, hmac or hmac-sha256` };
  if (!params.get("sign")) return { error: "MISSING_SIGNATURE" };
  const signed = verifyTopSignature(params, app.secret, method);
  if (!signed.ok) {
    return {
      error: "INVALID_SIGNATURE",
      subMsg: `${signed.reason}; the server signed "${signed.maskedStringToSign}" (secret masked): parameters sorted by name, name+value, no separators, empty values skipped`,
    };
  }
  return undefined;
}
