import type { EntityRecord } from "./entity.js";

/**
 * The state store: where the stateful mock keeps what was written — entities, the push outbox,
 * per-tenant sequences and a few settings (meta) — behind one small asynchronous interface, so an
 * embedded SQLite file (one process) and PostgreSQL (several replicas) are interchangeable. Both
 * pass the same conformance suite (test/store-conformance.test.ts).
 *
 * Rules every implementation keeps:
 * - Expected outcomes are data: a version conflict, a full store or a record that is not storable
 *   come back as `{ ok: false, reason, message }`; nothing is silently dropped. Methods throw only
 *   for I/O failures and misuse (a closed store).
 * - Tenants are isolated: a call naming a tenant never reads, lists, counts or resets another's.
 * - Deterministic: the store reads no clock and draws no random number; times are the caller's
 *   (the virtual clock), push ids are 1 + the highest id stored.
 * - Bounded: entities, pushes and keys (sequences + meta entries) are counted, and so are the bytes
 *   of every stored text (UTF-8 JSON); a write beyond a limit is refused with `reason: "full"`.
 *   Finished pushes are a bounded history: the oldest are dropped first (beyond maxPushHistory, or
 *   to make room for new pushes); pending ones never are: an outbox full of them refuses new
 *   pushes (counted, and said in the result), never drops one silently.
 * - Not here (yet): the nonce memory for replay protection stays in the process (mock/nonce-cache.ts,
 *   being rewritten separately); replicas that must treat a replay on another replica as a replay
 *   will need it in the shared store, as a bounded table of (tenant, nonce, expiry).
 */
export interface StateStore {
  /** The entity, or undefined when none was written (the mock's hot path: cheap for unknown ids). */
  get(tenant: string, type: string, id: string): Promise<EntityRecord | undefined>;
  /**
   * Writes the record if the stored version is `expectedVersion` (0: it must not exist yet); the
   * stored copy gets version `expectedVersion + 1`, whatever `record.version` said.
   */
  put(record: EntityRecord, expectedVersion: number): Promise<PutResult>;
  /**
   * A put and the pushes the write emits, in one transaction (the transactional outbox): the
   * entity is written and the pushes appended together, or neither (a conflict, a full store, a
   * push that is not storable). An outbox full of pending pushes refuses the pushes, not the
   * write: the result says how many (`refusedPushes`). At most MAX_BATCH pushes.
   */
  putWithPushes(record: EntityRecord, expectedVersion: number, pushes: ReadonlyArray<NewPush>): Promise<PutResult>;
  /**
   * Several puts in one transaction (seeding, bulk loads): each write's result in order, as if
   * put one after the other; the ones that succeed are committed together. At most MAX_BATCH writes.
   */
  putMany(writes: ReadonlyArray<EntityWrite>): Promise<PutResult[]>;
  /** Entities in (type, id) order — then tenant, when no tenant is named — a page at a time. */
  list(query: EntityQuery): Promise<EntityPage>;
  /**
   * Entities (of every tenant) with a timer due by `now`, earliest timer first, a page at a time:
   * what lets the mock fire timers as the clock passes them, without anyone reading the entity.
   */
  listDue(query: DueQuery): Promise<DuePage>;
  /** 1, 2, 3… per (tenant, name): ids of created entities come from (seed, tenant, sequence). */
  nextSequence(tenant: string, name: string): Promise<SequenceResult>;

  /** Adds a push to the outbox, pending, due at `dueAt`. */
  append(push: NewPush): Promise<AppendResult>;
  /**
   * Claims up to `limit` pending pushes due at `now` (earliest first) for `owner`, for `leaseMs`:
   * no other claimer gets them until the lease ends; a dead owner's claims are taken over after it.
   */
  claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<PushRecord[]>;
  /**
   * Logs one delivery attempt by the push's claimer (`attempt.owner`) and releases the claim: the
   * push is due again at `nextAt`, or done, or given up. Refused when another owner holds it now.
   */
  recordAttempt(id: number, attempt: PushAttempt, outcome: AttemptOutcome): Promise<AttemptResult>;
  /** Attempts of several pushes (a delivered batch) in one transaction, each answered as recordAttempt would. At most MAX_BATCH. */
  recordAttempts(items: ReadonlyArray<AttemptToRecord>): Promise<AttemptResult[]>;
  /** Pushes in id order, a page at a time. */
  listPushes(query: PushQuery): Promise<PushPage>;

  /** A setting kept with the state (e.g. the virtual clock's offset), or undefined. */
  getMeta(key: string): Promise<unknown>;
  setMeta(key: string, value: unknown): Promise<WriteResult>;

  /** Forgets everything (entities, pushes, sequences, meta), or one tenant's entities, pushes and sequences. */
  reset(tenant?: string): Promise<void>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}

/** The bounds of a store. */
export interface StoreLimits {
  maxEntities: number;
  /** Pushes kept, pending and finished: the oldest finished are dropped to make room, pending ones never. */
  maxPushes: number;
  /** Finished pushes kept (the history): beyond it or its bytes the oldest finished are dropped. */
  maxPushHistory: number;
  maxPushHistoryBytes: number;
  /** Sequences and meta entries together. */
  maxKeys: number;
  /** Sum of the stored texts' UTF-8 sizes: entity records, push payloads and attempt logs, meta values. */
  maxBytes: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  maxEntities: 1_000_000,
  maxPushes: 100_000,
  maxPushHistory: 10_000,
  maxPushHistoryBytes: 64 * 1024 ** 2,
  maxKeys: 100_000,
  maxBytes: 1024 ** 3,
};

/** Most records or pushes in one page; a larger `limit` is lowered to it. */
export const MAX_PAGE_SIZE = 1000;

/** Most writes in one putMany. */
export const MAX_BATCH = 10_000;

/** Attempts kept in a push's log (the oldest are dropped; `attemptCount` still counts them all). */
export const MAX_ATTEMPTS_KEPT = 20;

export interface EntityKey {
  tenant: string;
  type: string;
  id: string;
}

export interface EntityWrite {
  record: EntityRecord;
  expectedVersion: number;
}

export interface EntityQuery {
  tenant?: string;
  type?: string;
  /** 1 to MAX_PAGE_SIZE. */
  limit: number;
  /** The `next` of the previous page: the page starts after this key. */
  after?: EntityKey;
}

/** Where a page of due entities ends: the earliest timer's time and the key. */
export interface DueKey extends EntityKey {
  at: number;
}

export interface DueQuery {
  /** Virtual-clock epoch ms: timers at or before it are due. */
  now: number;
  /** 1 to MAX_PAGE_SIZE. */
  limit: number;
  /** The `next` of the previous page. */
  after?: DueKey;
}

export interface DuePage {
  records: EntityRecord[];
  next: DueKey | null;
}

export interface EntityPage {
  records: EntityRecord[];
  /** Where the next page starts, or null on the last page. */
  next: EntityKey | null;
}

/** Why a write was not done. */
export type Refusal =
  | { ok: false; reason: "conflict"; message: string; /** The version stored now (0: none). */ version: number }
  | { ok: false; reason: "full"; message: string; limit: keyof StoreLimits; max: number }
  | { ok: false; reason: "invalid"; message: string };

export type WriteResult = { ok: true } | Refusal;
/**
 * A write done; `refusedPushes`: its pushes were not kept, the outbox being full of pending pushes
 * (the entity was written all the same, and the refusal counted in `refusedPushes` of the stats).
 */
export type PutResult = { ok: true; version: number; refusedPushes?: { count: number; message: string } } | Refusal;
export type SequenceResult = { ok: true; value: number } | Refusal;
export type AppendResult = { ok: true; id: number } | Refusal;
export type AttemptResult =
  | { ok: true }
  | { ok: false; reason: "unknown" | "not-claimed" | "invalid"; message: string };

export type PushState = "pending" | "done" | "given-up";

export interface NewPush {
  tenant: string;
  /** What kind of message it is (e.g. the push's messageType). */
  topic: string;
  /** The message to deliver: JSON values, integers beyond 2^53 as bigint. */
  payload: unknown;
  /** Virtual-clock epoch ms of the first attempt. */
  dueAt: number;
  createdAt: number;
}

/** One delivery attempt, as the dispatcher reports it. */
export interface PushAttempt {
  /** Virtual-clock epoch ms. */
  at: number;
  /** The claimer that made it. */
  owner: string;
  url?: string;
  /** HTTP status of the answer, if one came. */
  status?: number;
  latencyMs?: number;
  error?: string;
}

export type AttemptOutcome = { nextAt: number } | "done" | "given-up";

/** One attempt to record: what recordAttempt takes. */
export interface AttemptToRecord {
  id: number;
  attempt: PushAttempt;
  outcome: AttemptOutcome;
  /**
   * The push as claimDue gave it to the attempt's owner, when the caller holds it (the dispatcher
   * does): the attempt is then written without reading the push back, by one update that holds
   * only while the push is as claimed (pending, claimed by `attempt.owner`, `attemptCount`
   * attempts); otherwise the push is read and the attempt answered as without it.
   */
  claimed?: Pick<PushRecord, "attemptCount" | "attempts">;
}

export interface PushRecord extends NewPush {
  id: number;
  state: PushState;
  /** Attempts made in all. */
  attemptCount: number;
  /** The latest attempts, oldest first (at most MAX_ATTEMPTS_KEPT). */
  attempts: PushAttempt[];
  claimedBy: string | null;
  /** When the claim's lease ends (virtual-clock epoch ms). */
  claimedUntil: number | null;
}

export interface PushQuery {
  tenant?: string;
  state?: PushState;
  limit: number;
  /** The `next` of the previous page. */
  after?: number;
}

export interface PushPage {
  pushes: PushRecord[];
  next: number | null;
}

export interface StoreStats {
  entities: number;
  /** Every push kept: pending and finished. */
  pushes: number;
  /** The push history: pushes done or given up (at most maxPushHistory and maxPushHistoryBytes). */
  finishedPushes: number;
  finishedBytes: number;
  /** Pushes refused because the outbox was full of pending ones (since the last full reset). */
  refusedPushes: number;
  /** Sequences and meta entries. */
  keys: number;
  bytes: number;
}
