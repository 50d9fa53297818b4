import { toCappedText } from "../../protocol/capped-text.js";
import type { Row } from "../generate/tables.js";
import { createRandomizer, hashToSeed } from "../generate/randomizer.js";
import { readPath } from "../generate/read-path.js";
import { isLongDigits, toInteger } from "../generate/value-generators.js";
import type { ExpressionScope } from "./expression-scope.js";
import { isTruthy } from "./compare-values.js";
import type { EntityHistoryEntry, EntityRecord, EntityTimer } from "./entity.js";
import type { Lifecycle, LifecycleAction, LifecycleState } from "./lifecycle.js";
import type { LifecyclePush } from "./lifecycle-model.js";
import { readJsonText, writeJsonText } from "./read-json-text.js";
import { setPath } from "./set-path.js";

/** One action taken at a time (virtual-clock epoch ms), with its input (the request, for buyer actions). */
export interface ActionStep {
  action: string;
  at: number;
  input?: unknown;
}

/** An entity that does not exist yet: what a creating action makes. */
export interface NewEntity {
  tenant: string;
  id: string;
}

export type RefusalCode = "unknown-action" | "not-allowed-in-state" | "not-created" | "already-exists" | "requirement-not-met" | "no-target-state";

/** Why an action was not taken, and which actions the entity's state allows. */
export interface Refusal {
  code: RefusalCode;
  action: string;
  state: string | null;
  reason: string;
  allowed: string[];
}

/** A message a transition emits (lifecycle `push`): what it is, about which entity, its body a view of the entity after the transition. */
export interface EmittedMessage {
  messageType: string;
  platform: 0 | 1;
  /** The messageType was named by the project (not documented). */
  assumed: boolean;
  body: unknown;
  entity: { type: string; id: string };
  action: string;
  at: number;
}

/** `messages`: what the action pushes (absent when it pushes nothing). */
export type ActionOutcome = { ok: true; record: EntityRecord; messages?: EmittedMessage[] } | { ok: false; refusal: Refusal };

/** History lines kept per entity (the oldest go first). */
export const MAX_HISTORY = 200;

/**
 * The seed of one action's randomness: from the mock's seed, the entity and the action's place in
 * its history. A born entity and a lived one that take the same actions draw the same values.
 */
export function toActionSeed(seed: string | number, record: { type: string; tenant: string; id: string; history: readonly EntityHistoryEntry[] }, step: ActionStep): number {
  // The entity's part is hashed once for the steps of one entity in a row (a birth's walk, a flow).
  const last = lastEntity;
  const entity =
    last !== undefined && last.seed === seed && last.id === record.id && last.tenant === record.tenant && last.type === record.type
      ? last
      : (lastEntity = { seed, tenant: record.tenant, type: record.type, id: record.id, hash: hashToSeed(`${seed}|${record.tenant}|${record.type}|${record.id}|`) });
  return hashToSeed(`${record.history.length}|${step.at}|${step.action}`, entity.hash);
}

/** The entity whose part of an action seed was hashed last. */
let lastEntity: { seed: string | number; tenant: string; type: string; id: string; hash: number } | undefined;

/** The actions an entity in this state may take (null: not created yet, so the creating actions). */
export function toAllowedActions(lifecycle: Lifecycle, state: string | null): string[] {
  return [...lifecycle.actions.values()].filter((a) => (state === null ? a.from === null : a.from?.includes(state))).map((a) => a.name);
}

function refuse(lifecycle: Lifecycle, code: RefusalCode, action: string, state: string | null, reason: string): ActionOutcome {
  return { ok: false, refusal: { code, action, state, reason, allowed: toAllowedActions(lifecycle, state) } };
}

/** Checks the action may be taken now: it exists, fits the state, and its requirements hold. */
function checkAction(lifecycle: Lifecycle, action: LifecycleAction | undefined, name: string, state: string | null, scope: ExpressionScope): ActionOutcome | undefined {
  if (!action) return refuse(lifecycle, "unknown-action", name, state, `"${toCappedText(name)}" is not an action of ${lifecycle.type}`);
  if (state === null && action.from !== null) return refuse(lifecycle, "not-created", name, state, `the ${lifecycle.type} does not exist yet`);
  if (state !== null && action.from === null) return refuse(lifecycle, "already-exists", name, state, `the ${lifecycle.type} exists already`);
  if (state !== null && !action.from!.includes(state)) return refuse(lifecycle, "not-allowed-in-state", name, state, `"${name}" is not allowed in the state "${state}"`);
  const failed = action.requires.find((r) => !isTruthy(r.that(scope)));
  return failed ? refuse(lifecycle, "requirement-not-met", name, state, failed.reason) : undefined;
}

/** The longest id a text id may be: far beyond every documented id (19 digits, TQ and 17 digits), far below what would weigh on the store. */
export const MAX_ID_LENGTH = 64;

/** Whether a text can be the id of an entity of this type (at most MAX_ID_LENGTH characters; an integer id field takes an integer's digits that fit a Long, no leading 0). */
export function isEntityId(lifecycle: Lifecycle, id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && (lifecycle.id.kind !== "integer" || (isLongDigits(id) && (id === "0" || !id.startsWith("0"))));
}

/** The fields of an entity about to be created: its id in its id field (an integer field gets the digits as an integer, exact beyond 2^53). */
export function toNewFields(lifecycle: Lifecycle, id: string): Record<string, unknown> {
  const { field, kind } = lifecycle.id;
  const fields: Record<string, unknown> = {};
  if (field !== undefined) setPath(fields, field, kind === "integer" && isLongDigits(id) ? toInteger(id) : id);
  return fields;
}

/** The last log text written and its entries: the next entry of the same entity reads them back without parsing (entries are never changed). */
let lastLog: { text: string; entries: unknown[] } | undefined;

/**
 * The JSON text of `entries` with `entry` added at one end, from the text of `entries` as
 * writeJsonText wrote it: only the new entry is written (the same text as writing them all).
 */
function addToLogText(text: string, entries: readonly unknown[], entry: unknown, newestFirst: boolean): string {
  const added = writeJsonText(entry);
  if (entries.length === 0) return `[${added}]`;
  return newestFirst ? `[${added},${text.slice(1)}` : `${text.slice(0, -1)},${added}]`;
}

/** Appends an entry to the log field, keeping at most `max` entries. */
function appendLog(lifecycle: Lifecycle, action: LifecycleAction, scope: ExpressionScope): void {
  const log = lifecycle.log;
  if (!log || !action.log) return;
  // An entry leaves out what it has no value for (an undocumented code, a note not given).
  const entry = action.log(scope);
  const held = readPath(scope.fields, log.field);
  const remembered = lastLog !== undefined && held === lastLog.text ? lastLog.entries : undefined;
  const parsed = log.format === "list" ? held : (remembered ?? readJsonText(held));
  const before: unknown[] = Array.isArray(parsed) ? parsed : [];
  const newestFirst = log.order === "newest-first";
  const entries = newestFirst ? [entry, ...before].slice(0, log.max) : [...before, entry].slice(-log.max);
  if (log.format === "list") {
    setPath(scope.fields, log.field, entries);
    return;
  }
  // The entries remembered were written by this function: below the bound, the text grows by the new entry alone.
  const text = remembered && before.length < log.max ? addToLogText(held as string, before, entry, newestFirst) : writeJsonText(entries);
  lastLog = { text, entries };
  setPath(scope.fields, log.field, text);
}

/**
 * Takes one action (pure): the record (or the entity to create), the action with its input and
 * time, the mock's seed → the new record, or a refusal that names the actions the state allows.
 * Order: requirements and target state on the record as it was; then `let`, the action's `set`,
 * the entered state's `set`, the lifecycle's `always`, the state field, the log entry. Timers are
 * armed when the state changes and kept when it does not. The version is the store's to set.
 */
export function applyAction(lifecycle: Lifecycle, target: EntityRecord | NewEntity, step: ActionStep, seed: string | number): ActionOutcome {
  return take(lifecycle, target, step, seed, false);
}

/**
 * applyAction for a record only the caller holds (a birth's walk): the record given is changed into
 * the new one and returned (a refused action leaves it as it was), and no messages are made. The
 * same record as applyAction's, without copying its fields and history at every step.
 */
export function applyActionInPlace(lifecycle: Lifecycle, target: EntityRecord | NewEntity, step: ActionStep, seed: string | number): ActionOutcome {
  return take(lifecycle, target, step, seed, true);
}

/** One randomizer reseeded for each action (its draws are made while the action is taken, never after). */
const actionRandom = createRandomizer();

function take(lifecycle: Lifecycle, target: EntityRecord | NewEntity, step: ActionStep, seed: string | number, inPlace: boolean): ActionOutcome {
  const record = "state" in target ? (target as EntityRecord) : undefined;
  const before = record?.state ?? null;
  const history = record?.history ?? [];
  const base = { type: lifecycle.type, tenant: target.tenant, id: target.id, history };
  actionRandom.seed(toActionSeed(seed, base, step));
  const scope: ExpressionScope = {
    fields: record ? (inPlace ? record.fields : { ...record.fields }) : toNewFields(lifecycle, target.id),
    input: step.input ?? null,
    vars: { id: target.id },
    item: null,
    before,
    after: before,
    now: step.at,
    timers: record?.timers ?? [],
    random: actionRandom.next,
    rows: new Map<string, Row>(),
    kind: undefined,
  };
  const action = lifecycle.actions.get(step.action);
  const refusal = checkAction(lifecycle, action, step.action, before, scope);
  if (refusal) return refusal;
  const to = action!.to.find((c) => !c.when || isTruthy(c.when(scope)))?.state;
  if (to === undefined) return refuse(lifecycle, "no-target-state", step.action, before, `no state of "${step.action}" fits the ${lifecycle.type}`);
  const state = lifecycle.states.get(to)!;
  const entered = to !== before;
  const timers: EntityTimer[] = entered ? state.timers.map((t) => ({ action: t.action, at: step.at + t.after * 1000 })) : inPlace ? record!.timers : [...scope.timers];
  scope.after = to;
  scope.timers = timers;
  for (const [name, value] of action!.let) scope.vars[name] = value(scope);
  action!.set(scope);
  if (entered) state.set(scope);
  lifecycle.always(scope);
  if (lifecycle.stateField) setPath(scope.fields, lifecycle.stateField, state.value);
  appendLog(lifecycle, action!, scope);
  const line: EntityHistoryEntry = { at: step.at, action: step.action, from: before, to };
  if (inPlace && record) {
    record.history.push(line);
    if (record.history.length > MAX_HISTORY) record.history.splice(0, record.history.length - MAX_HISTORY);
    Object.assign(record, { state: to, timers, updatedAt: step.at });
    return { ok: true, record };
  }
  const messages = inPlace ? [] : toMessages(lifecycle, target.id, action!, entered ? state : undefined, scope, step);
  return {
    ...(messages.length > 0 ? { messages } : {}),
    ok: true,
    // Written out, in the order `{ ...base, state, … }` gave (a spread then more members is several times slower).
    record: {
      type: base.type,
      tenant: base.tenant,
      id: base.id,
      history: [...history, line].slice(-MAX_HISTORY),
      state: to,
      fields: scope.fields,
      timers,
      version: record?.version ?? 0,
      createdAt: record?.createdAt ?? step.at,
      updatedAt: step.at,
    },
  };
}

/** The messages an action pushes: its own push, and the push of the state it entered. */
function toMessages(lifecycle: Lifecycle, id: string, action: LifecycleAction, entered: LifecycleState | undefined, scope: ExpressionScope, step: ActionStep): EmittedMessage[] {
  const pushes = [action.push, entered?.push].filter((p): p is LifecyclePush => p !== undefined);
  return pushes.map((push): EmittedMessage => ({
    messageType: push.messageType,
    platform: push.platform,
    assumed: push.assumed,
    body: push.body ? push.body(scope) : scope.fields,
    entity: { type: lifecycle.type, id },
    action: step.action,
    at: step.at,
  }));
}
