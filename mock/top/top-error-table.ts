/** TOP platform error codes (docs/protocols.md: TOP errors), answered in `error_response` with HTTP 200. */
export const TOP_ERRORS = {
  MISSING_METHOD: { code: 21, msg: "Missing Method" },
  INVALID_METHOD: { code: 22, msg: "Invalid Method" },
  INVALID_FORMAT: { code: 23, msg: "Invalid Format" },
  MISSING_SIGNATURE: { code: 24, msg: "Missing Signature" },
  INVALID_SIGNATURE: { code: 25, msg: "Invalid Signature" },
  MISSING_APP_KEY: { code: 28, msg: "Missing App Key" },
  INVALID_APP_KEY: { code: 29, msg: "Invalid App Key" },
  MISSING_TIMESTAMP: { code: 30, msg: "Missing Timestamp" },
  INVALID_TIMESTAMP: { code: 31, msg: "Invalid Timestamp" },
  MISSING_VERSION: { code: 32, msg: "Missing Version" },
  INVALID_VERSION: { code: 33, msg: "Invalid Version" },
  UNSUPPORTED_VERSION: { code: 34, msg: "Unsupported Version" },
  MISSING_REQUIRED_ARGUMENTS: { code: 40, msg: "Missing Required Arguments" },
  INVALID_ARGUMENTS: { code: 41, msg: "Invalid Arguments" },
  HTTP_ACTION_NOT_ALLOWED: { code: 9, msg: "Http Action Not Allowed" },
  REMOTE_SERVICE_ERROR: { code: 15, msg: "Remote service error" },
} as const;

export type TopErrorName = keyof typeof TOP_ERRORS;

/** An `error_response` before it is written: the entry plus the isv./isp. detail. */
export interface TopFailure {
  error: TopErrorName;
  subCode?: string;
  subMsg?: string;
}
