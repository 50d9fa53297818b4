import { existsSync, readFileSync } from "node:fs";
import type { DeepPartial, MockOptions, PandaponKey, TopApp } from "../mock/options.js";
import { PANDAPON_ERRORS } from "../protocol/pandapon-error-table.js";
import type { SignatureScheme } from "../signing/pandapon-scheme.js";
import { DEFAULT_HOST, DEFAULT_PORT, DEMO_PANDAPON } from "../protocol/demo.js";
import { DEFAULT_DEVELOP_ID } from "../mock/options.js";
import { checkCallbackUrls } from "../mock/push/callback-urls.js";
import { DEFAULT_STATE_FILE } from "../mock/state/default-state-file.js";
import type { StoreLimits } from "../mock/state/store.js";

/** Everything `serve` can be told, from flags, the environment or a JSON config file. */
export interface ServeConfig {
  host: string;
  port: number;
  /** How long a shutdown lets requests in flight finish before ending their connections. */
  drainMs?: number;
  mock: DeepPartial<MockOptions>;
  /** Where the entities and the clock live: "stateless" (none), "memory", or a state file. */
  state: string;
  /** Recordings to answer from (proxy --record); strict: a request matching none is refused, not generated. */
  replay?: { dir: string; strict: boolean };
  /** The state store's bounds given (the others keep their defaults). */
  storeLimits: Partial<StoreLimits>;
}

/**
 * The state store's bounds a user may set, by setting name (config file key; the flag is its
 * kebab-case, e.g. --max-push-history, the environment variable PANDAPON_MOCK_ + its snake case):
 * the StoreLimits member each sets, and the least value it takes.
 */
export const STORE_LIMIT_SETTINGS = {
  maxEntities: { limit: "maxEntities", min: 1 },
  maxPushes: { limit: "maxPushes", min: 1 },
  maxPushHistory: { limit: "maxPushHistory", min: 0 },
  maxPushHistoryBytes: { limit: "maxPushHistoryBytes", min: 0 },
  maxStateKeys: { limit: "maxKeys", min: 1 },
  maxStateBytes: { limit: "maxBytes", min: 1 },
} as const satisfies Record<string, { limit: keyof StoreLimits; min: number }>;

export type StoreLimitSetting = keyof typeof STORE_LIMIT_SETTINGS;

/** A store limit setting's environment variable: PANDAPON_MOCK_MAX_PUSH_HISTORY_BYTES for maxPushHistoryBytes. */
export function toStoreLimitEnv(name: StoreLimitSetting): string {
  return `PANDAPON_MOCK_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The settings each source may give; later sources (env, then flags) win over earlier ones. */
export interface ServeSettings extends Partial<Record<StoreLimitSetting, number>> {
  /** Also read as `signatureScheme` (what identify-signature prints). */
  host?: string;
  port?: number;
  seed?: string;
  refDate?: string;
  scheme?: Partial<SignatureScheme>;
  /** Both protocols' timestamp window, unless `topWindowSeconds` gives TOP its own. */
  windowSeconds?: number;
  topWindowSeconds?: number;
  /** Required as `Authorization: Bearer <token>` on /__mock/*; without it `serve` listens on loopback only. */
  adminToken?: string;
  verifySignatures?: boolean;
  requireNonce?: boolean;
  validateResponses?: boolean;
  bodyLimitBytes?: number;
  /** Bytes of the replay memory (each nonce kept for twice the window; full: new requests refused). */
  nonceMemoryBytes?: number;
  /** Bytes the request journal and the answer cache may hold (besides their entry counts). */
  journalBytes?: number;
  /** Bytes of one request or answer body the journal keeps. */
  journalBodyBytes?: number;
  /** Rules in force from the start (as POST /__mock/rules takes them; the config file only). */
  rules?: unknown[];
  answerCacheBytes?: number;
  /** Seconds a shutdown waits for requests in flight (default 5). */
  drainSeconds?: number;
  keys?: PandaponKey[];
  /** Callback URLs of the demo key (`--callback-url`, repeatable); keys of a config file name theirs in keys[].callbackUrls. */
  callbackUrls?: string[];
  /** Message pushes: `enabled` (default true), `messageTypes` (assumed names renamed: {"TAOBAO_ORDER_STATUS_MODIFY": "…"}). */
  pushes?: { enabled?: boolean; messageTypes?: Record<string, string> };
  apps?: TopApp[];
  /** PandaPon error table overrides: `{"BAD_SIGNATURE": {"status": 200, "code": 1001}}` (config file). */
  errors?: MockOptions["pandapon"]["errors"];
  log?: boolean;
  /** A state file (default .pandapon-mock/state.sqlite), "memory", or "stateless". */
  state?: string;
  /** A folder of recordings (proxy --record) to answer matching requests from. */
  replay?: string;
  /** With replay: refuse a request that matches no recording instead of generating its answer. */
  replayStrict?: boolean;
}

function readJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`Failed to read ${what}: ${(error as Error).message}.`, { cause: error });
  }
}

/** A JSON value given inline (`{…}`) or as a path to a file holding it. */
export function readJsonArgument<T>(value: string, what: string): T {
  const text = value.trim().startsWith("{") || value.trim().startsWith("[") ? value : existsSync(value) ? readFileSync(value, "utf8") : undefined;
  if (text === undefined) throw new Error(`Failed to read ${what}: "${value}" is neither JSON nor an existing file.`);
  return readJson<T>(text, what);
}

function toBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`Invalid ${name}="${value}": use true or false.`);
}

function toNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`Invalid ${name}="${value}": use a non-negative number.`);
  return n;
}

/** Settings from the environment (PORT, HOST, PANDAPON_MOCK_*). */
export function readEnvSettings(env: NodeJS.ProcessEnv): ServeSettings {
  return {
    host: env.HOST || undefined,
    port: toNumber(env.PORT, "PORT"),
    seed: env.PANDAPON_MOCK_SEED || undefined,
    scheme: env.PANDAPON_MOCK_SCHEME ? readJsonArgument(env.PANDAPON_MOCK_SCHEME, "PANDAPON_MOCK_SCHEME") : undefined,
    windowSeconds: toNumber(env.PANDAPON_MOCK_WINDOW_SECONDS, "PANDAPON_MOCK_WINDOW_SECONDS"),
    topWindowSeconds: toNumber(env.PANDAPON_MOCK_TOP_WINDOW_SECONDS, "PANDAPON_MOCK_TOP_WINDOW_SECONDS"),
    adminToken: env.PANDAPON_MOCK_ADMIN_TOKEN || undefined,
    verifySignatures: toBoolean(env.PANDAPON_MOCK_VERIFY_SIGNATURES, "PANDAPON_MOCK_VERIFY_SIGNATURES"),
    requireNonce: toBoolean(env.PANDAPON_MOCK_REQUIRE_NONCE, "PANDAPON_MOCK_REQUIRE_NONCE"),
    validateResponses: toBoolean(env.PANDAPON_MOCK_VALIDATE_RESPONSES, "PANDAPON_MOCK_VALIDATE_RESPONSES"),
    nonceMemoryBytes: toNumber(env.PANDAPON_MOCK_NONCE_MEMORY_BYTES, "PANDAPON_MOCK_NONCE_MEMORY_BYTES"),
    journalBytes: toNumber(env.PANDAPON_MOCK_JOURNAL_BYTES, "PANDAPON_MOCK_JOURNAL_BYTES"),
    answerCacheBytes: toNumber(env.PANDAPON_MOCK_ANSWER_CACHE_BYTES, "PANDAPON_MOCK_ANSWER_CACHE_BYTES"),
    drainSeconds: toNumber(env.PANDAPON_MOCK_DRAIN_SECONDS, "PANDAPON_MOCK_DRAIN_SECONDS"),
    keys: env.PANDAPON_MOCK_KEYS ? readJsonArgument(env.PANDAPON_MOCK_KEYS, "PANDAPON_MOCK_KEYS") : undefined,
    apps: env.PANDAPON_MOCK_TOP_APPS ? readJsonArgument(env.PANDAPON_MOCK_TOP_APPS, "PANDAPON_MOCK_TOP_APPS") : undefined,
    log: toBoolean(env.PANDAPON_MOCK_LOG, "PANDAPON_MOCK_LOG"),
    state: env.PANDAPON_MOCK_STATE || undefined,
    replay: env.PANDAPON_MOCK_REPLAY || undefined,
    replayStrict: toBoolean(env.PANDAPON_MOCK_REPLAY_STRICT, "PANDAPON_MOCK_REPLAY_STRICT"),
    ...Object.fromEntries(Object.keys(STORE_LIMIT_SETTINGS).map((name) => [name, toNumber(env[toStoreLimitEnv(name as StoreLimitSetting)], toStoreLimitEnv(name as StoreLimitSetting))])),
  };
}

/** Settings from a JSON config file (same names as ServeSettings). */
export function readFileSettings(path: string | undefined): ServeSettings {
  if (!path) return {};
  if (!existsSync(path)) throw new Error(`Failed to read config file "${path}": it does not exist.`);
  return readJson<ServeSettings>(readFileSync(path, "utf8"), `config file "${path}"`);
}

/** A scheme as given: bare, or wrapped as `identify-signature` prints it (`{"signatureScheme": {…}}`). */
function toSchemeSetting(value: unknown): Partial<SignatureScheme> | undefined {
  if (value === undefined || value === null) return undefined;
  const wrapped = (value as { signatureScheme?: unknown }).signatureScheme;
  return (wrapped ?? value) as Partial<SignatureScheme>;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The keys with `--callback-url`'s URLs given to the demo key (the first key when the demo key is not among them). */
function withCallbackUrls(keys: PandaponKey[] | undefined, urls: string[] | undefined): PandaponKey[] | undefined {
  if (urls === undefined || urls.length === 0) return keys;
  const list = keys ?? [{ ...DEMO_PANDAPON, developId: DEFAULT_DEVELOP_ID }];
  const target = list.find((k) => k.accessKey === DEMO_PANDAPON.accessKey) ?? list[0]!;
  return list.map((k) => (k === target ? { ...k, callbackUrls: [...(k.callbackUrls ?? []), ...urls] } : k));
}

/** Merges config file < environment < flags over the defaults. */
export function toServeConfig(...sources: Array<ServeSettings & { signatureScheme?: unknown }>): ServeConfig {
  const s: ServeSettings = Object.assign({}, ...sources.map((source) => defined({ ...source, scheme: toSchemeSetting(source.scheme ?? source.signatureScheme) })));
  if (s.keys && (!Array.isArray(s.keys) || s.keys.some((k) => !k || typeof k.accessKey !== "string" || typeof k.secret !== "string"))) {
    throw new Error('Invalid keys: use a list of {"accessKey": "...", "secret": "...", "developId": "..."}.');
  }
  for (const key of s.keys ?? []) {
    const problem = key.callbackUrls === undefined ? undefined : checkCallbackUrls(key.callbackUrls);
    if (problem !== undefined) throw new Error(`Invalid keys: the callbackUrls of ${key.accessKey}: ${problem}.`);
  }
  if (s.callbackUrls !== undefined) {
    const problem = checkCallbackUrls(s.callbackUrls);
    if (problem !== undefined) throw new Error(`Invalid --callback-url: ${problem}.`);
  }
  const messageTypes = s.pushes?.messageTypes;
  if (messageTypes !== undefined && (typeof messageTypes !== "object" || messageTypes === null || Object.values(messageTypes).some((v) => typeof v !== "string" || !/^[A-Za-z0-9_]+$/.test(v)))) {
    throw new Error('Invalid pushes.messageTypes: use {"ASSUMED_NAME": "YOUR_NAME"} (letters, digits and _).');
  }
  if (s.apps && (!Array.isArray(s.apps) || s.apps.some((a) => !a || typeof a.appKey !== "string" || typeof a.secret !== "string"))) {
    throw new Error('Invalid apps: use a list of {"appKey": "...", "secret": "..."}.');
  }
  if (s.adminToken !== undefined && typeof s.adminToken !== "string") throw new Error("Invalid adminToken: use a string (the token itself is not shown).");
  const unknownErrors = Object.keys(s.errors ?? {}).filter((name) => !(name in PANDAPON_ERRORS));
  if (unknownErrors.length > 0) {
    throw new Error(`Invalid errors: ${unknownErrors.join(", ")} not in the error table (${Object.keys(PANDAPON_ERRORS).join(", ")}).`);
  }
  if (s.rules !== undefined && !Array.isArray(s.rules)) throw new Error('Invalid rules: use a list of rules, each {"name"?, "match"?, "answer"} (see the README, "Testing your integration").');
  for (const name of ["journalBytes", "journalBodyBytes", "answerCacheBytes", "drainSeconds"] as const) {
    const value = s[name];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
      throw new Error(`Invalid ${name}: ${JSON.stringify(value)} is not a non-negative number.`);
    }
  }
  if (s.state !== undefined && (typeof s.state !== "string" || s.state === "")) throw new Error('Invalid state: use a file, "memory" or "stateless".');
  if (s.replay !== undefined && (typeof s.replay !== "string" || s.replay === "")) throw new Error("Invalid replay: use the folder of recordings (proxy --record <dir>).");
  if (s.replayStrict !== undefined && typeof s.replayStrict !== "boolean") throw new Error("Invalid replayStrict: use true or false.");
  if (s.replayStrict === true && s.replay === undefined) throw new Error("--replay-strict (replayStrict) needs --replay <dir> (replay).");
  const storeLimits: Partial<StoreLimits> = {};
  for (const [name, { limit, min }] of Object.entries(STORE_LIMIT_SETTINGS)) {
    const value = s[name as StoreLimitSetting];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`Invalid ${name}: ${JSON.stringify(value)} is not a whole number ≥ ${min} (flag --${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}, environment ${toStoreLimitEnv(name as StoreLimitSetting)}).`);
    storeLimits[limit] = value;
  }
  const windowMs = s.windowSeconds === undefined ? undefined : s.windowSeconds * 1000;
  const topWindowMs = s.topWindowSeconds === undefined ? windowMs : s.topWindowSeconds * 1000;
  const host = s.host ?? DEFAULT_HOST;
  return {
    host,
    port: s.port ?? DEFAULT_PORT,
    drainMs: s.drainSeconds === undefined ? undefined : s.drainSeconds * 1000,
    state: s.state ?? DEFAULT_STATE_FILE,
    ...(s.replay === undefined ? {} : { replay: { dir: s.replay, strict: s.replayStrict === true } }),
    storeLimits,
    mock: defined({
      seed: s.seed,
      refDate: s.refDate,
      verifySignatures: s.verifySignatures,
      validateResponses: s.validateResponses,
      bodyLimitBytes: s.bodyLimitBytes,
      nonceMemoryBytes: s.nonceMemoryBytes,
      journalBytes: s.journalBytes,
      journalBodyBytes: s.journalBodyBytes,
      rules: s.rules,
      answerCacheBytes: s.answerCacheBytes,
      pandapon: defined({ keys: withCallbackUrls(s.keys, s.callbackUrls), scheme: s.scheme, windowMs, requireNonce: s.requireNonce, errors: s.errors }),
      top: defined({ apps: s.apps, windowMs: topWindowMs }),
      admin: defined({ listenHost: host, token: s.adminToken || undefined }),
      pushes: s.pushes === undefined ? undefined : defined({ enabled: s.pushes.enabled, messageTypes }),
    }) as DeepPartial<MockOptions>,
  };
}
