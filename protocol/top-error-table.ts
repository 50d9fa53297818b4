/**
 * TOP's platform error codes, answered in `error_response` with HTTP 200 (code and msg as in TOP's
 * error-code page).
 *
 * Sub codes: TOP documents a sub code with only some codes — 15 (isp.* when its backend fails),
 * 40 `isv.missing-parameter:<parameter>`, 41 `isv.invalid-parameter:<parameter>` (the page and its
 * examples) and 29 `isv.appkey-not-exists` (real answers quoted in public client code). Those are
 * marked `subCodeFrom: "top"`. For the other platform errors TOP documents none, and real answers
 * (22, 25) carry neither sub_code nor sub_msg. The mock explains those errors in sub_msg, and a
 * sub_msg never goes out alone (SDKs that print `sub_code:sub_msg` would print `undefined:`): it is
 * paired with TOP's own parameter forms, `isv.missing-parameter:<name>` / `isv.invalid-parameter:<name>`
 * — the mock's choice, marked `subCodeFrom: "mock"`. Code 9 has no parameter to name: no sub pair.
 */
export interface TopErrorEntry {
  code: number;
  msg: string;
  subCode?: string;
  /** Whether TOP documents this sub code with this code, or the mock chose it. */
  subCodeFrom?: "top" | "mock";
}

export const TOP_ERRORS = {
  MISSING_METHOD: { code: 21, msg: "Missing Method", subCode: "isv.missing-parameter:method", subCodeFrom: "mock" },
  INVALID_METHOD: { code: 22, msg: "Invalid Method", subCode: "isv.invalid-parameter:method", subCodeFrom: "mock" },
  INVALID_FORMAT: { code: 23, msg: "Invalid Format", subCode: "isv.invalid-parameter:format", subCodeFrom: "mock" },
  MISSING_SIGNATURE: { code: 24, msg: "Missing Signature", subCode: "isv.missing-parameter:sign", subCodeFrom: "mock" },
  INVALID_SIGNATURE: { code: 25, msg: "Invalid Signature", subCode: "isv.invalid-parameter:sign", subCodeFrom: "mock" },
  MISSING_APP_KEY: { code: 28, msg: "Missing App Key", subCode: "isv.missing-parameter:app_key", subCodeFrom: "mock" },
  INVALID_APP_KEY: { code: 29, msg: "Invalid App Key", subCode: "isv.appkey-not-exists", subCodeFrom: "top" },
  MISSING_TIMESTAMP: { code: 30, msg: "Missing Timestamp", subCode: "isv.missing-parameter:timestamp", subCodeFrom: "mock" },
  INVALID_TIMESTAMP: { code: 31, msg: "Invalid Timestamp", subCode: "isv.invalid-parameter:timestamp", subCodeFrom: "mock" },
  MISSING_VERSION: { code: 32, msg: "Missing Version", subCode: "isv.missing-parameter:v", subCodeFrom: "mock" },
  INVALID_VERSION: { code: 33, msg: "Invalid Version", subCode: "isv.invalid-parameter:v", subCodeFrom: "mock" },
  UNSUPPORTED_VERSION: { code: 34, msg: "Unsupported Version", subCode: "isv.invalid-parameter:v", subCodeFrom: "mock" },
  /** The sub code gets `:<parameter>` (the failure names it). */
  MISSING_REQUIRED_ARGUMENTS: { code: 40, msg: "Missing Required Arguments", subCode: "isv.missing-parameter", subCodeFrom: "top" },
  /** The sub code gets `:<parameter>` when one parameter is at fault. */
  INVALID_ARGUMENTS: { code: 41, msg: "Invalid Arguments", subCode: "isv.invalid-parameter", subCodeFrom: "top" },
  HTTP_ACTION_NOT_ALLOWED: { code: 9, msg: "Http Action Not Allowed" },
  /**
   * Business refusals: TOP answers a method's business failure with code 15 and an isv.* sub code
   * naming it; the sub codes of these methods are not documented, so these two are the mock's.
   */
  NOT_ALLOWED_IN_STATE: { code: 15, msg: "Remote service error", subCode: "isv.status-not-allowed", subCodeFrom: "mock" },
  BUSINESS_RULE_BROKEN: { code: 15, msg: "Remote service error", subCode: "isv.business-rule-broken", subCodeFrom: "mock" },
  /** The mock's entity store is full or too busy to take a write. */
  STATE_UNAVAILABLE: { code: 15, msg: "Remote service error", subCode: "isp.service-busy", subCodeFrom: "mock" },
  /** The mock's own faults: isp.unknown-error, one of TOP's backend sub codes. */
  REMOTE_SERVICE_ERROR: { code: 15, msg: "Remote service error", subCode: "isp.unknown-error", subCodeFrom: "top" },
} as const satisfies Record<string, TopErrorEntry>;

export type TopErrorName = keyof typeof TOP_ERRORS;

/** An `error_response` before it is written: the entry, and the detail (a sub code naming the parameter, the explanation). */
export interface TopFailure {
  error: TopErrorName;
  /** Replaces the entry's sub code (e.g. `isv.invalid-parameter:buyer_id`). */
  subCode?: string;
  subMsg?: string;
}
