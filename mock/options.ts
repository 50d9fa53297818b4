import { DEFAULT_HOST, DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import type { SignatureScheme } from "../signing/pandapon-scheme.js";
import { DEFAULT_SCHEME, toScheme } from "../signing/pandapon-scheme.js";
import { DEFAULT_NONCE_MEMORY_BYTES } from "./nonce-memory.js";
import type { PandaponErrorName } from "../protocol/pandapon-error-table.js";
import type { StateService } from "./state/create-state.js";
import type { ReplayBook } from "./replay/create-replay-book.js";

export interface PandaponKey {
  accessKey: string;
  secret: string;
  /** Sent back as `developId`; a 19-digit string like the real answers. */
  developId?: string;
  /** Where the mock pushes this key's messages (the console's 消息服务 callback URLs); none: no pushes. */
  callbackUrls?: string[];
}

export interface TopApp {
  appKey: string;
  secret: string;
}

export interface MockOptions {
  /** Same seed and request, same answer. */
  seed: number | string;
  /** Generated times lie before this date (ISO). */
  refDate?: string;
  pandapon: {
    keys: PandaponKey[];
    scheme: SignatureScheme;
    /** Allowed distance between the `timestamp` header and the server clock. */
    windowMs: number;
    /** Reject requests without `nonce-str` (the API pages mark it optional; the manual says required). */
    requireNonce: boolean;
    /** Override HTTP status / code of entries in the error table. */
    errors: Partial<Record<PandaponErrorName, { status?: number; code?: number }>>;
  };
  top: {
    apps: TopApp[];
    windowMs: number;
  };
  /** Who may use the mock's own endpoints (/__mock/*): see admin-guard.ts. */
  admin: {
    /** The address the server listens on: on loopback only loopback Host names are served; elsewhere a token is required. */
    listenHost: string;
    /** When set, every /__mock/* request needs `Authorization: Bearer <token>`. Never logged or printed. */
    token?: string;
  };
  /** Turn off every signature, key, timestamp and nonce check (a quick demo). */
  verifySignatures: boolean;
  /** Validate each answer against its own schema before sending it (on in tests). */
  validateResponses: boolean;
  bodyLimitBytes: number;
  /** Bytes of the replay memory: each nonce is kept for twice the window; when full, new requests are refused, none forgotten early. */
  nonceMemoryBytes: number;
  /** Entries kept in the request journal (GET /__mock/journal). */
  journalSize: number;
  /** Bytes the journal's entries may hold together (oldest forgotten first). */
  journalBytes: number;
  /** Bytes of one request or answer body the journal keeps (the rest is cut; the entry says how much). */
  journalBodyBytes: number;
  /** Rules in force from the start (JSON, as POST /__mock/rules takes them): see mock/control/rule-format.ts. */
  rules: unknown[];
  /** Answers remembered for repeated identical requests, from their second time (0: generate every time). */
  answerCacheSize: number;
  /** Bytes the remembered answers and their requests may hold together; an answer over a sixteenth of it is not kept. */
  answerCacheBytes: number;
  /** One line per request, without secrets; undefined for silence. */
  log?: (line: string) => void;
  now: () => number;
  /** Message pushes (stateful only): the outbox and its dispatcher. */
  pushes: {
    /** false: transitions push nothing and no dispatcher runs. */
    enabled: boolean;
    /** How often the outbox is polled for due pushes (real ms). */
    pollMs: number;
    /** Assumed messageTypes renamed: the project's name → yours (the documented ones keep theirs). */
    messageTypes: Record<string, string>;
  };
  /** Entities and the virtual clock behind the admin API (/__mock/entities, /__mock/clock); undefined: stateless. */
  state?: StateService;
  /** Recorded exchanges answered before anything is generated (serve --replay); undefined: none. */
  replay?: ReplayBook;
}

export const DEFAULT_DEVELOP_ID = "1014533973088404335";

export function toMockOptions(partial: DeepPartial<MockOptions> = {}): MockOptions {
  return {
    seed: partial.seed ?? 1,
    refDate: partial.refDate,
    pandapon: {
      keys: (partial.pandapon?.keys as PandaponKey[] | undefined) ?? [{ ...DEMO_PANDAPON, developId: DEFAULT_DEVELOP_ID }],
      scheme: toScheme((partial.pandapon?.scheme ?? DEFAULT_SCHEME) as Partial<SignatureScheme>),
      windowMs: partial.pandapon?.windowMs ?? 600_000,
      requireNonce: partial.pandapon?.requireNonce ?? false,
      errors: (partial.pandapon?.errors ?? {}) as MockOptions["pandapon"]["errors"],
    },
    top: {
      apps: (partial.top?.apps as TopApp[] | undefined) ?? [{ ...DEMO_TOP }],
      windowMs: partial.top?.windowMs ?? 600_000,
    },
    admin: {
      listenHost: partial.admin?.listenHost ?? DEFAULT_HOST,
      token: partial.admin?.token || undefined,
    },
    verifySignatures: partial.verifySignatures ?? true,
    validateResponses: partial.validateResponses ?? false,
    bodyLimitBytes: partial.bodyLimitBytes ?? 1024 * 1024,
    nonceMemoryBytes: partial.nonceMemoryBytes ?? DEFAULT_NONCE_MEMORY_BYTES,
    journalSize: partial.journalSize ?? 200,
    journalBytes: partial.journalBytes ?? 4 * 1024 * 1024,
    journalBodyBytes: partial.journalBodyBytes ?? 64 * 1024,
    rules: (partial.rules as unknown[] | undefined) ?? [],
    answerCacheSize: partial.answerCacheSize ?? 1000,
    answerCacheBytes: partial.answerCacheBytes ?? 32 * 1024 * 1024,
    log: partial.log as MockOptions["log"],
    now: (partial.now as (() => number) | undefined) ?? Date.now,
    state: partial.state as StateService | undefined,
    replay: partial.replay as ReplayBook | undefined,
    pushes: {
      enabled: partial.pushes?.enabled ?? true,
      pollMs: partial.pushes?.pollMs ?? 250,
      messageTypes: (partial.pushes?.messageTypes ?? {}) as Record<string, string>,
    },
  };
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (...args: never[]) => unknown ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
