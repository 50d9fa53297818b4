/**
 * The PandaPon error table. The real table is not documented (its page is not available), so this
 * is a project decision: one entry per failure, an HTTP status, a code, and a message template.
 * Every answer is the envelope with `data: null`. Statuses and codes are configurable.
 */
export const PANDAPON_ERRORS = {
  MISSING_HEADER: { status: 401, code: 40101, title: "missing system header" },
  TIMESTAMP_OUT_OF_WINDOW: { status: 401, code: 40102, title: "timestamp outside the allowed window" },
  NONCE_REPLAYED: { status: 401, code: 40103, title: "nonce-str already used" },
  BAD_SIGNATURE: { status: 401, code: 40104, title: "signature mismatch" },
  NONCE_TOO_LONG: { status: 401, code: 40105, title: "nonce-str longer than its documented 32 characters" },
  UNKNOWN_ACCESS_KEY: { status: 403, code: 40301, title: "unknown access-key" },
  BAD_JSON: { status: 400, code: 40001, title: "malformed JSON body" },
  INVALID_REQUEST: { status: 400, code: 40002, title: "request does not match the documented parameters" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 41501, title: "unsupported content type" },
  UNKNOWN_OPERATION: { status: 404, code: 40401, title: "unknown operation" },
  METHOD_NOT_ALLOWED: { status: 405, code: 40501, title: "method not allowed" },
  BODY_TOO_LARGE: { status: 413, code: 41301, title: "request body too large" },
  REPLAY_MEMORY_FULL: { status: 429, code: 42901, title: "replay memory full: every nonce it holds is still inside the window" },
  BUSINESS_RULE_BROKEN: { status: 400, code: 40003, title: "the request breaks a business rule of the entity it creates or changes (the message names the rule)" },
  NOT_ALLOWED_IN_STATE: { status: 409, code: 40901, title: "not allowed in the entity's current state (the message names the state and what it allows)" },
  STATE_UNAVAILABLE: { status: 429, code: 42902, title: "the mock's entity store is full or too busy to take the write: try again later" },
  SERVER_ERROR: { status: 500, code: 50001, title: "server error" },
} as const;

export type PandaponErrorName = keyof typeof PANDAPON_ERRORS;
