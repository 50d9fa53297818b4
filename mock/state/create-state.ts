import type { Catalog } from "../../schemas/catalog.js";
import type { EntityTypeInfo } from "../../protocol/entity-type-info.js";
import { getCatalog } from "../../schemas/catalog.js";
import type { BoundedMap } from "../bounded-map.js";
import { createBoundedMap } from "../bounded-map.js";
import type { EmittedMessage, Refusal, RefusalCode } from "./apply-action.js";
import { MAX_ID_LENGTH, applyAction, isEntityId, toAllowedActions } from "./apply-action.js";
import { toCappedText } from "../../protocol/capped-text.js";
import { applyDueTimers } from "./apply-due-timers.js";
import type { Birth } from "./birth.js";
import { createBirth } from "./birth.js";
import type { EntityRecord } from "./entity.js";
import type { Lifecycle, LifecycleAction } from "./lifecycle.js";
import type { LifecyclePush } from "./lifecycle-model.js";
import { toMessageOf } from "./to-message.js";
import { getLifecycles } from "./lifecycle.js";
import { getWiredOperations } from "../../schemas/wired-operations.js";
import type { DataEdit, WiringStep } from "./operation-wiring.js";
import { readActingIds, readRequestId, toAnswerEdits, toOperationWiring, toViewEdits } from "./operation-wiring.js";
import type { DueKey, EntityKey, NewPush, StateStore } from "./store.js";
import { MAX_PAGE_SIZE } from "./store.js";
import { toEntityId } from "./to-entity-id.js";
import { hashToSeed } from "../generate/randomizer.js";
import type { ClockSetting, VirtualClock } from "./virtual-clock.js";
import { CLOCK_META_KEY, openVirtualClock } from "./virtual-clock.js";

/** An entity as the state service shows it: the record, the actions its state allows, and whether it was written (else born). */
export interface EntityView extends EntityRecord {
  allowedActions: string[];
  stored: boolean;
}

export type StateProblemCode = "unknown-type" | "bad-id" | "refused" | "full" | "invalid" | "busy";

/** An expected failure, as data: what failed and why; a refused action names the actions the state allows. */
export interface StateProblem {
  ok: false;
  code: StateProblemCode;
  message: string;
  /** For "refused": why (the engine's refusal code), the entity's state (null: not created) and the actions it allows. */
  refusal?: RefusalCode;
  state?: string | null;
  allowed?: string[];
}

/** What an operation did to the caller's entities: the edits its generated answer gets, or why it was not done. */
export type OperationOutcome = { ok: true; edits: DataEdit[]; viewKey?: string } | StateProblem;

export type { DataEdit };

export type EntityResult = { ok: true; entity: EntityView } | StateProblem;

export type { EntityTypeInfo };

export interface EntityListQuery {
  tenant?: string;
  type?: string;
  /** 1 to MAX_PAGE_SIZE (default 100). */
  limit?: number;
  after?: EntityKey;
}

/** Turns the messages a write emits into the pushes stored with it (none: nothing is pushed, e.g. the tenant has no callback URL). */
export type Outbox = (tenant: string, messages: readonly EmittedMessage[], now: number) => NewPush[] | Promise<NewPush[]>;

/** Told when a write's pushes were refused (the outbox full of pending pushes): the write itself was done. */
export type RefusedPushes = (tenant: string, refused: { count: number; message: string }) => void;

export interface StateService {
  readonly seed: string | number;
  readonly clock: VirtualClock;
  /** The store behind the service (the push dispatcher claims from its outbox). */
  readonly store: StateStore;
  /**
   * Where the messages of transitions go: each write of an entity stores the pushes `outbox` makes
   * of them in the same transaction. Without one, nothing is pushed.
   */
  useOutbox(outbox: Outbox | undefined, onRefused?: RefusedPushes): void;
  /** The messages the transitions of a type push (each messageType once), as its lifecycle declares them. */
  messagesOf(type: string): LifecyclePush[];
  /** The message `push` makes of an entity as it stands (its body read from the entity), as if a transition emitted it at `now`. */
  toMessage(entity: EntityRecord, push: LifecyclePush, now: number): EmittedMessage;
  /** A meta key a full reset keeps, as it keeps the clock (settings such as the callback URLs set at run time). */
  keepOnReset(key: string): void;
  /** Called (awaited, in order) when the service closes, before its store closes. */
  onClose(hook: () => Promise<void> | void): void;
  types(): EntityTypeInfo[];
  /** A stored entity (its due timers applied and written back), or the entity born for an id nobody wrote (not stored). */
  read(tenant: string, type: string, id: string): Promise<EntityResult>;
  /** Takes an action now; a born entity is stored by its first action. */
  act(tenant: string, type: string, id: string, action: string, input?: unknown): Promise<EntityResult>;
  /** Creates an entity with a creating action (default: the type's first), its id from (seed, tenant, sequence). */
  create(tenant: string, type: string, options?: { action?: string; input?: unknown }): Promise<EntityResult>;
  /**
   * Fires the due timers of one page of stored entities (at most `limit`, earliest timer first,
   * after `after`), as a read would, and writes them with the pushes their transitions emit.
   * Entities of a type this mock has no lifecycle for, or written meanwhile by another, are passed
   * over (the next sweep sees them again). `next`: where the next page starts, or null.
   */
  fireDueTimers(query: { limit: number; after?: DueKey }): Promise<FiredPage>;
  /** Stored entities (due timers applied in the view, written back on their next read), a page at a time. */
  list(query: EntityListQuery): Promise<{ entities: EntityView[]; next: EntityKey | null }>;
  /** Whether an operation shows or moves entities (its answer then needs takeOperation). */
  wires(operation: string): boolean;
  /**
   * Does what an operation does to the tenant's entities (lifecycle files: `views`, and buyer
   * actions' `operation`): takes the action (creating an entity when the request names none) and
   * reads what the answer shows → the edits of the generated answer; a refusal is a problem.
   */
  takeOperation(tenant: string, operation: string, request: unknown): Promise<OperationOutcome>;
  /** Forgets every entity, push and sequence (the clock and the keepOnReset settings stay), or one tenant's. */
  reset(tenant?: string): Promise<void>;
  close(): Promise<void>;
}

export interface StateServiceOptions {
  store: StateStore;
  seed: string | number;
  catalog?: Catalog;
  lifecycles?: ReadonlyMap<string, Lifecycle>;
  birth?: Birth;
  /** Real time, for the virtual clock (default Date.now). */
  realNow?: () => number;
  /** Where the clock starts when the store holds no clock (default: real time). */
  clock?: ClockSetting;
  /**
   * Parsed stored records kept in front of the store (default 10,000 and 64 MiB; 0 when other
   * processes write the same store, as this cache knows only this service's writes).
   */
  cacheEntries?: number;
  cacheBytes?: number;
  /**
   * Born records kept, so an unknown id polled is born again only once it changes (its next step or
   * timer; default 10,000 and 64 MiB). A record is kept from its id's second read: an id read once
   * (a new one every time) would only push records through the heap's old generation.
   */
  bornEntries?: number;
  bornBytes?: number;
}

/** A due entity whose timers a sweep could not fire: its type has no lifecycle here, or its write was refused (the store full, another writer first). */
export interface PassedOver {
  key: DueKey;
  version: number;
  reason: "unknown-type" | "refused" | "conflict";
  message: string;
}

/** What one page of fireDueTimers did. */
export interface FiredPage {
  fired: number;
  next: DueKey | null;
  /** The page's entities passed over, in the page's order. */
  passedOver: PassedOver[];
  /** Whether the page was passed over whole (every entity of it in passedOver). */
  allPassedOver: boolean;
  /** How many of the page's first entities were passed over before one was not. */
  leadingPassedOver: number;
}

/** The id an action is tried on before the entity it creates has one (what it sets does not count, only whether it is refused). */
const PLANNED_ID = "1";

/** A born record, and the times between which a birth gives that same record. */
interface BornEntry {
  from: number;
  until: number;
  record: EntityRecord;
}

/** Writes tried when another write to the same entity came first (or a created id is taken). */
const WRITE_TRIES = 8;
const DEFAULT_CACHE_ENTRIES = 10_000;
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/** What one cached record weighs beyond its JSON text (the key, the object headers). */
const ENTRY_OVERHEAD = 256;

/** "a" or "an" before an entity type's name (an alibaba-refund, a top-order). */
function toArticle(type: string): string {
  return /^[aeiou]/.test(type) ? "an" : "a";
}

/** The sequence name of created ids of one entity type. */
export function toSequenceName(type: string): string {
  return `entity:${type}`;
}

function toCacheKey(tenant: string, type: string, id: string): string {
  return `${tenant}\u0000${type}\u0000${id}`;
}

/** About what a value weighs in memory: its texts' lengths and 8 bytes a number, walked without serialising it. */
function estimateBytes(value: unknown): number {
  if (typeof value === "string") return value.length + 8;
  if (value === null || typeof value !== "object") return 8;
  let bytes = 16;
  if (Array.isArray(value)) for (const item of value) bytes += estimateBytes(item);
  else for (const key in value as Record<string, unknown>) bytes += key.length + estimateBytes((value as Record<string, unknown>)[key]);
  return bytes;
}

function toWeight(key: string, record: EntityRecord | null): number {
  if (!record) return key.length + ENTRY_OVERHEAD;
  return key.length + estimateBytes(record.fields) + 64 * (record.history.length + record.timers.length) + ENTRY_OVERHEAD;
}

function toView(lifecycle: Lifecycle, record: EntityRecord, stored: boolean): EntityView {
  return { ...record, allowedActions: toAllowedActions(lifecycle, record.state), stored };
}

function toTypeInfo(lifecycle: Lifecycle): EntityTypeInfo {
  return {
    type: lifecycle.type,
    title: lifecycle.title,
    states: [...lifecycle.states.values()].map((s) => ({ name: s.name, title: s.title, initial: s.initial, final: s.final })),
    actions: [...lifecycle.actions.values()].map((a) => ({ name: a.name, title: a.title, actor: a.actor, from: a.from, to: [...new Set(a.to.map((t) => t.state))] })),
  };
}

/**
 * The state service: entities per tenant over a StateStore, moved by their lifecycles on the
 * virtual clock. Reads of ids nobody wrote answer born entities and never grow the store; the
 * first action on one stores it. Every write names the version it read and is tried again when
 * another write came first. Expected failures (unknown type, bad id, refused action, full store)
 * are data. The clock's setting lives in the store, so a restart finds it where it was left.
 */
export async function createState(options: StateServiceOptions): Promise<StateService> {
  const { store, seed } = options;
  // Loaded on first use (checking and compiling the lifecycles and a producer costs ~0.7 s): `serve` starts as fast stateful as stateless.
  let loaded: { lifecycles: ReadonlyMap<string, Lifecycle>; birth: Birth } | undefined;
  const load = () => {
    if (loaded) return loaded;
    const lifecycles = options.lifecycles ?? getLifecycles();
    loaded = { lifecycles, birth: options.birth ?? createBirth({ catalog: options.catalog ?? getCatalog(), lifecycles, seed }) };
    return loaded;
  };
  // Which operations are wired is read from the files as they are (cheap); compiling waits for the first such request.
  const wired = options.lifecycles ? undefined : getWiredOperations();
  let wiring: ReadonlyMap<string, WiringStep[]> | undefined;
  const findWiring = (operation: string) => {
    wiring ??= toOperationWiring(load().lifecycles.values());
    return wiring.get(operation);
  };
  const clock = await openVirtualClock(store, options.realNow ?? Date.now, options.clock);
  const newCaches = () => ({
    stored: createBoundedMap<EntityRecord | null>(options.cacheEntries ?? DEFAULT_CACHE_ENTRIES, { maxBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES, sizeOf: toWeight }),
    born: createBoundedMap<BornEntry>(options.bornEntries ?? DEFAULT_CACHE_ENTRIES, {
      maxBytes: options.bornBytes ?? DEFAULT_CACHE_BYTES,
      sizeOf: (key, value) => toWeight(key, value.record),
    }),
    // The ids born once, as 32-bit hashes of their keys (no text): a record is kept when its id is born again.
    bornOnce: createBoundedMap<true, number>(4 * (options.bornEntries ?? DEFAULT_CACHE_ENTRIES)),
  });
  // A stored entry of null: not known (a write of this service failed, so what it held may be stale).
  let caches: { stored: BoundedMap<EntityRecord | null>; born: BoundedMap<BornEntry>; bornOnce: BoundedMap<true, number> } = newCaches();

  const findLifecycle = (type: string, id?: string): Lifecycle | StateProblem => {
    const { lifecycles } = load();
    const lifecycle = lifecycles.get(type);
    if (!lifecycle) return { ok: false, code: "unknown-type", message: `There is no entity type "${toCappedText(type)}": the types are ${[...lifecycles.keys()].join(", ")}.` };
    if (id !== undefined && !isEntityId(lifecycle, id)) {
      return { ok: false, code: "bad-id", message: `"${toCappedText(id)}" cannot be the id of ${toArticle(type)} ${type} (its id is ${lifecycle.id.kind === "integer" ? "an integer of at most 19 digits, without a leading 0" : `a text of 1 to ${MAX_ID_LENGTH} characters`}).` };
    }
    return lifecycle;
  };

  const readStored = async (tenant: string, type: string, id: string): Promise<EntityRecord | undefined> => {
    const key = toCacheKey(tenant, type, id);
    const cached = caches.stored.get(key);
    if (cached) return cached;
    const record = await store.get(tenant, type, id);
    if (record) caches.stored.set(key, record);
    return record;
  };

  const readBorn = (lifecycle: Lifecycle, tenant: string, id: string, now: number): EntityRecord => {
    const key = toCacheKey(tenant, lifecycle.type, id);
    // A born entity stays the same from the second it was made at until its next step, timer or creation (see birth.ts).
    const cached = caches.born.get(key);
    if (cached && cached.from <= now && now < cached.until) return cached.record;
    const { record, stableUntil } = load().birth({ type: lifecycle.type, tenant, id }, now);
    const hash = hashToSeed(key);
    if (cached || caches.bornOnce.get(hash)) caches.born.set(key, { from: Math.floor(now / 1000) * 1000, until: stableUntil, record });
    else caches.bornOnce.set(hash, true);
    return record;
  };

  /** Stores `record` over `version`; the stored record, a conflict (try again) or a problem. */
  let outbox: Outbox | undefined;
  let refusedPushes: RefusedPushes | undefined;
  const closeHooks: Array<() => Promise<void> | void> = [];
  const keptOnReset = new Set<string>();
  const write = async (record: EntityRecord, version: number, messages: readonly EmittedMessage[] = []): Promise<EntityRecord | "conflict" | StateProblem> => {
    const key = toCacheKey(record.tenant, record.type, record.id);
    const pushes = messages.length > 0 && outbox ? await outbox(record.tenant, messages, clock.now()) : [];
    const result = pushes.length > 0 ? await store.putWithPushes(record, version, pushes) : await store.put(record, version);
    if (result.ok) {
      if (result.refusedPushes) refusedPushes?.(record.tenant, result.refusedPushes);
      const stored = { ...record, version: result.version };
      caches.stored.set(key, stored);
      return stored;
    }
    // Whatever the cache held may be stale now.
    caches.stored.set(key, null);
    if (result.reason === "conflict") return "conflict";
    return { ok: false, code: result.reason, message: `Failed to store the ${record.type} "${record.id}": ${result.message}` };
  };

  const busy = (what: string): StateProblem => ({ ok: false, code: "busy", message: `Failed to ${what}: other writes to it came first ${WRITE_TRIES} times; try again.` });

  const service: StateService = {
    seed,
    clock,
    store,
    useOutbox(next, onRefused) {
      outbox = next;
      refusedPushes = onRefused;
    },
    messagesOf(type) {
      const lifecycle = load().lifecycles.get(type);
      if (!lifecycle) return [];
      const all = [...[...lifecycle.actions.values()].map((a) => a.push), ...[...lifecycle.states.values()].map((st) => st.push)];
      const seen = new Map<string, LifecyclePush>();
      for (const push of all) if (push && !seen.has(push.messageType)) seen.set(push.messageType, push);
      return [...seen.values()];
    },
    toMessage: (entity, push, now) => toMessageOf(entity, push, now, seed),
    keepOnReset(key) {
      keptOnReset.add(key);
    },
    onClose(hook) {
      closeHooks.push(hook);
    },
    types: () => [...load().lifecycles.values()].map(toTypeInfo),

    async read(tenant, type, id) {
      const lifecycle = findLifecycle(type, id);
      if (!("type" in lifecycle)) return lifecycle;
      for (let tries = 0; tries < WRITE_TRIES; tries++) {
        const now = clock.now();
        const stored = await readStored(tenant, type, id);
        if (!stored) return { ok: true, entity: toView(lifecycle, readBorn(lifecycle, tenant, id, now), false) };
        const messages: EmittedMessage[] = [];
        const due = applyDueTimers(lifecycle, stored, now, seed, messages);
        if (due === stored) return { ok: true, entity: toView(lifecycle, stored, true) };
        const written = await write(due, stored.version, messages);
        if (written === "conflict") continue;
        return "ok" in written ? written : { ok: true, entity: toView(lifecycle, written, true) };
      }
      return busy(`read the ${type} "${id}"`);
    },

    async act(tenant, type, id, action, input) {
      const lifecycle = findLifecycle(type, id);
      if (!("type" in lifecycle)) return lifecycle;
      for (let tries = 0; tries < WRITE_TRIES; tries++) {
        const now = clock.now();
        const stored = await readStored(tenant, type, id);
        const messages: EmittedMessage[] = [];
        const current = stored ? applyDueTimers(lifecycle, stored, now, seed, messages) : readBorn(lifecycle, tenant, id, now);
        const outcome = applyAction(lifecycle, current, { action, at: now, input: input ?? undefined }, seed);
        if (!outcome.ok) return refused(type, id, outcome.refusal);
        const written = await write(outcome.record, stored?.version ?? 0, [...messages, ...(outcome.messages ?? [])]);
        if (written === "conflict") continue;
        return "ok" in written ? written : { ok: true, entity: toView(lifecycle, written, true) };
      }
      return busy(`take "${toCappedText(action)}" on the ${type} "${id}"`);
    },

    async create(tenant, type, { action, input } = {}) {
      const lifecycle = findLifecycle(type);
      if (!("type" in lifecycle)) return lifecycle;
      const creators = [...lifecycle.actions.values()].filter((a) => a.from === null).map((a) => a.name);
      const creator = action ?? creators[0]!;
      if (!creators.includes(creator)) return { ok: false, code: "refused", message: `Failed to create ${toArticle(type)} ${type} with "${toCappedText(creator)}": it is not a creating action of ${type}.`, state: null, allowed: creators };
      for (let tries = 0; tries < WRITE_TRIES; tries++) {
        const sequence = await store.nextSequence(tenant, toSequenceName(type));
        if (!sequence.ok) return { ok: false, code: sequence.reason === "full" ? "full" : "invalid", message: `Failed to create ${toArticle(type)} ${type}: ${sequence.message}` };
        const id = toEntityId(lifecycle, seed, tenant, sequence.value);
        if (await readStored(tenant, type, id)) continue;
        const outcome = applyAction(lifecycle, { tenant, id }, { action: creator, at: clock.now(), input: input ?? undefined }, seed);
        if (!outcome.ok) return refused(type, undefined, outcome.refusal);
        const written = await write(outcome.record, 0, outcome.messages);
        if (written === "conflict") continue;
        return "ok" in written ? written : { ok: true, entity: toView(lifecycle, written, true) };
      }
      return busy(`create ${toArticle(type)} ${type}`);
    },

    async fireDueTimers({ limit, after }) {
      const now = clock.now();
      const page = await store.listDue({ now, limit, ...(after ? { after } : {}) });
      const passedOver: PassedOver[] = [];
      let fired = 0;
      let leadingPassedOver = 0;
      if (page.records.length === 0) return { fired, next: null, passedOver, allPassedOver: false, leadingPassedOver };
      const { lifecycles } = load();
      for (const [index, stored] of page.records.entries()) {
        const pass = (reason: PassedOver["reason"], message: string) => {
          if (leadingPassedOver === index) leadingPassedOver++;
          const at = Math.min(...stored.timers.map((t) => t.at));
          passedOver.push({ key: { tenant: stored.tenant, type: stored.type, id: stored.id, at }, version: stored.version, reason, message });
        };
        const lifecycle = lifecycles.get(stored.type);
        if (!lifecycle) {
          pass("unknown-type", `this mock has no lifecycle for the type ${stored.type}`);
          continue;
        }
        const messages: EmittedMessage[] = [];
        const due = applyDueTimers(lifecycle, stored, now, seed, messages);
        if (due === stored) continue;
        const written = await write(due, stored.version, messages);
        if (written === "conflict") pass("conflict", "another write to it came first");
        else if ("ok" in written) pass("refused", written.message);
        else fired++;
      }
      return { fired, next: page.next, passedOver, allPassedOver: passedOver.length === page.records.length, leadingPassedOver };
    },

    async list({ tenant, type, limit = 100, after }) {
      const page = await store.list({ tenant, type, limit: Math.min(Math.max(1, Math.floor(limit)), MAX_PAGE_SIZE), after });
      const now = clock.now();
      const { lifecycles } = load();
      const entities = page.records.flatMap((record) => {
        const lifecycle = lifecycles.get(record.type);
        return lifecycle ? [toView(lifecycle, applyDueTimers(lifecycle, record, now, seed), true)] : [];
      });
      return { entities, next: page.next };
    },

    async reset(tenant) {
      const kept = tenant === undefined ? await Promise.all([...keptOnReset].map(async (key) => [key, await store.getMeta(key)] as const)) : [];
      await store.reset(tenant);
      caches = newCaches();
      if (tenant !== undefined) return;
      // A full reset forgets the meta too; the clock stays where it stands, and the settings kept stay as they were.
      await store.setMeta(CLOCK_META_KEY, clock.setting);
      for (const [key, value] of kept) if (value !== undefined) await store.setMeta(key, value);
    },

    wires: (operation) => (wired ? wired.viewed.has(operation) || wired.acted.has(operation) : findWiring(operation) !== undefined),

    async takeOperation(tenant, operation, request) {
      const edits: DataEdit[] = [];
      // An answer that only shows entities is the same while they are: keyed by their versions (a born one by its last step).
      const shown: string[] = [];
      let onlyShown = true;
      const steps = findWiring(operation) ?? [];
      // Every action is planned (and so checked) before any is taken: a refusal leaves every entity as it was.
      const takes: Array<() => Promise<OperationOutcome>> = [];
      for (const step of steps) {
        if (step.kind !== "act") continue;
        const planned = await plan(step, tenant, request);
        if (typeof planned !== "function") return planned;
        takes.push(planned);
      }
      for (const take of takes) {
        const done = await take();
        if (!done.ok) return done;
        edits.push(...done.edits);
        onlyShown = false;
      }
      for (const step of steps) {
        if (step.kind !== "view") continue;
        const done = await show(step, tenant, request);
        if (!done.ok) return done;
        edits.push(...done.edits);
        if (done.viewKey === undefined) onlyShown = false;
        else shown.push(done.viewKey);
      }
      return onlyShown && shown.length > 0 ? { ok: true, edits, viewKey: `${tenant}|${shown.join("|")}` } : { ok: true, edits };
    },

    async close() {
      for (const hook of closeHooks.splice(0)) await hook();
      await store.close();
    },
  };

  /** A view: the entity the request names (none named: the answer stays generated). */
  const show = async (step: Extract<WiringStep, { kind: "view" }>, tenant: string, request: unknown): Promise<OperationOutcome> => {
    const id = readRequestId(step.id, request, clock.now());
    if (id === undefined) return { ok: true, edits: [] };
    const read = await service.read(tenant, step.lifecycle.type, id);
    if (!read.ok) return read;
    const { entity } = read;
    return { ok: true, edits: toViewEdits(step.lifecycle, entity, step.at), viewKey: `${entity.type}/${entity.id}@${entity.version}.${entity.history.length}.${entity.updatedAt}` };
  };

  /** A refusal as a problem (the message names the action, the entity, and why). */
  const refused = (type: string, id: string | undefined, refusal: Refusal): StateProblem => ({
    ok: false,
    code: "refused",
    refusal: refusal.code,
    message: id === undefined ? `Failed to create ${toArticle(type)} ${type} with "${toCappedText(refusal.action)}": ${refusal.reason}.` : `Failed to take "${toCappedText(refusal.action)}" on the ${type} "${id}": ${refusal.reason}.`,
    state: refusal.state,
    allowed: refusal.allowed,
  });

  /**
   * A buyer action, planned: the request names no entity → the creating action; it names some → on
   * each, the action its state allows. Every action is tried on the entity as it stands (state and
   * rules) before any is taken, here and in the operation's other steps, so that a refusal leaves
   * every entity as it was. Returns the problem, or what takes the actions.
   */
  const plan = async (step: Extract<WiringStep, { kind: "act" }>, tenant: string, request: unknown): Promise<StateProblem | (() => Promise<OperationOutcome>)> => {
    const { lifecycle } = step;
    const { type } = lifecycle;
    const now = clock.now();
    const ids = readActingIds(step, request, now);
    if (ids.length === 0) {
      const creating = step.creating;
      if (!creating) return { ok: false, code: "bad-id", message: `The request names no ${type} to act on.` };
      const tried = applyAction(lifecycle, { tenant, id: PLANNED_ID }, { action: creating.name, at: now, input: request }, seed);
      if (!tried.ok) return refused(type, undefined, tried.refusal);
      return async () => {
        const created = await service.create(tenant, type, { action: creating.name, input: request });
        return created.ok ? { ok: true, edits: toAnswerEdits(creating, created.entity, request) } : created;
      };
    }
    const planned: Array<[string, LifecycleAction]> = [];
    for (const id of ids) {
      const read = await service.read(tenant, type, id);
      if (!read.ok) return read;
      const action = step.acting.find((a) => a.from!.includes(read.entity.state)) ?? step.acting[0]!;
      const tried = applyAction(lifecycle, read.entity, { action: action.name, at: now, input: request }, seed);
      if (!tried.ok) return refused(type, id, tried.refusal);
      planned.push([id, action]);
    }
    return async () => {
      const edits: DataEdit[] = [];
      for (const [id, action] of planned) {
        const result = await service.act(tenant, type, id, action.name, request);
        if (!result.ok) return result;
        edits.push(...toAnswerEdits(action, result.entity, request));
      }
      return { ok: true, edits };
    };
  };

  return service;
}
