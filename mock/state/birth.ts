import type { Catalog } from "../../schemas/catalog.js";
import type { Producer } from "../generate/create-producer.js";
import { createProducer } from "../generate/create-producer.js";
import { createRandomizer, hashToSeed } from "../generate/randomizer.js";
import type { ActionStep, NewEntity } from "./apply-action.js";
import { applyActionInPlace, isEntityId, toNewFields } from "./apply-action.js";
import { applyDueTimers } from "./apply-due-timers.js";
import type { ExpressionScope } from "./expression-scope.js";
import type { EntityRecord } from "./entity.js";
import type { Lifecycle, LifecycleAction } from "./lifecycle.js";
import { setPath } from "./set-path.js";

/** Which entity: its type (lifecycle), its tenant and its id. */
export interface EntityKey {
  type: string;
  tenant: string;
  id: string;
}

/** A born entity and the steps it took (a lived flow taking the same steps ends in the same record). */
export interface Born {
  record: EntityRecord;
  steps: ActionStep[];
  /** Until when (epoch ms, exclusive) a birth at a later now gives the same record: its next step, timer, or new creation. */
  stableUntil: number;
}

/** Makes the born record of an entity nobody wrote, as it stands at `now`. */
export type Birth = (key: EntityKey, now: number) => Born;

/** Generated requests a buyer action tries before it is given up (its requirements refuse the others). */
const REQUEST_TRIES = 16;

type Random = () => number;

function drawBetween(random: Random, [min, max]: readonly [number, number]): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One of the options by weight; undefined when no weight is above 0. */
function pickWeighted<T>(random: Random, options: ReadonlyArray<[T, number]>): T | undefined {
  const total = options.reduce((sum, [, w]) => sum + w, 0);
  let left = random() * total;
  for (const [option, weight] of options) {
    if (weight > 0 && (left -= weight) < 0) return option;
  }
  return undefined;
}

/** The actions a walk may draw in each state of a lifecycle (every one but timers'), by lifecycle: computed once. */
const choicesOf = new WeakMap<Lifecycle, Map<string, LifecycleAction[]>>();

function toChoices(lifecycle: Lifecycle, state: string): LifecycleAction[] {
  let byState = choicesOf.get(lifecycle);
  if (!byState) choicesOf.set(lifecycle, (byState = new Map()));
  let choices = byState.get(state);
  if (!choices) byState.set(state, (choices = [...lifecycle.actions.values()].filter((a) => a.actor !== "timer" && a.from?.includes(state))));
  return choices;
}

/** One birth in progress: the entity, its lifecycle, the seeded draws and the steps taken so far. */
interface Walk {
  lifecycle: Lifecycle;
  key: EntityKey;
  seed: string | number;
  producer: Producer;
  random: Random;
  steps: ActionStep[];
  /** When the walk would take its next step, had it not stopped at the end (Infinity: it stopped for good). */
  nextStep: number;
}

/** The request a born buyer sends: a generated one (a seeded variant) without the members nothing reads, with the action's birth input over it. */
function toBornInput(walk: Walk, action: LifecycleAction, fields: Record<string, unknown>, at: number): unknown {
  const operation = action.operations[0];
  if (!operation) return undefined;
  const request = walk.producer.produceRequest(operation, Math.floor(walk.random() * 0x7fffffff), action.birth.leaveOut) as Record<string, unknown>;
  const scope: ExpressionScope = { fields, input: request, vars: { id: walk.key.id }, item: null, before: null, after: null, now: at, timers: [], random: walk.random, rows: new Map(), kind: undefined };
  for (const [path, value] of action.birth.input) setPath(request, path, value(scope));
  return request;
}

/** Takes an action, trying generated requests until one meets its requirements; the last refusal's reason when none does. */
function takeAction(walk: Walk, action: LifecycleAction, target: EntityRecord | NewEntity, at: number): EntityRecord | string {
  const fields = "state" in target ? (target as EntityRecord).fields : toNewFields(walk.lifecycle, walk.key.id);
  let reason = "";
  for (let attempt = 0; attempt < (action.operations.length > 0 ? REQUEST_TRIES : 1); attempt++) {
    const step: ActionStep = { action: action.name, at, input: toBornInput(walk, action, fields, at) };
    // The record is the walk's own until the birth returns it: changed in place.
    const outcome = applyActionInPlace(walk.lifecycle, target, step, walk.seed);
    if (outcome.ok) {
      walk.steps.push(step);
      return outcome.record;
    }
    reason = outcome.refusal.reason;
  }
  return reason;
}

/** Fires the timers due by `until`, as the clock would, and records them as steps. */
function fireTimers(walk: Walk, record: EntityRecord, until: number): EntityRecord {
  const taken = record.history.length;
  const fired = applyDueTimers(walk.lifecycle, record, until, walk.seed, undefined, true);
  walk.steps.push(...fired.history.slice(taken).map((h) => ({ action: h.action, at: h.at })));
  return fired;
}

/**
 * When a born entity was created, as seen at `end`: a seeded time of its own, `birth.age` before the
 * end, that does not move as the clock does. Creation times of one entity recur every period (the
 * width of the age range): within a period the walk from the same creation time is the same walk,
 * seen up to a later end (later steps and timers are added, nothing taken back); once a period has
 * passed, the id names a newly created entity.
 */
function toCreationTime(walk: Walk, end: number): number {
  const [youngest, oldest] = walk.lifecycle.birth.age;
  const period = oldest - youngest + 1;
  const { seed, key } = walk;
  const phase = hashToSeed(`${seed}|born-at|${key.tenant}|${key.type}|${key.id}`) % period;
  const latest = Math.floor(end / 1000) - youngest;
  return (latest - ((((latest - phase) % period) + period) % period)) * 1000;
}

/** The creating action, drawn by weight, at the entity's creation time; throws when no generated request creates it. */
function createEntity(walk: Walk, end: number): EntityRecord {
  const { lifecycle, key } = walk;
  const creator = pickWeighted(walk.random, [...lifecycle.actions.values()].filter((a) => a.from === null).map((a) => [a, a.birth.weight]));
  if (!creator) throw new Error(`Failed to bear ${key.type} "${key.id}": no creating action has a birth weight.`);
  const created = takeAction(walk, creator, { tenant: key.tenant, id: key.id }, toCreationTime(walk, end));
  if (typeof created === "string") throw new Error(`Failed to bear ${key.type} "${key.id}": "${creator.name}" refused ${REQUEST_TRIES} generated requests (${created}).`);
  return created;
}

/**
 * One step of the walk: an action of the state drawn by weight against the state's stay, after its
 * delay, unless a timer falls due first (the earliest fires, and the next step draws again). Undefined when
 * the walk ends: a final state, a stay, or an action that would come after the end.
 */
function takeStep(walk: Walk, record: EntityRecord, refused: Set<string>, end: number): EntityRecord | undefined {
  const state = walk.lifecycle.states.get(record.state)!;
  if (state.final) return undefined;
  const choices = toChoices(walk.lifecycle, record.state).filter((a) => !refused.has(a.name));
  const choice = pickWeighted<LifecycleAction | undefined>(walk.random, [...choices.map((a): [LifecycleAction, number] => [a, a.birth.weight]), [undefined, state.stay]]);
  const next = choice ? record.updatedAt + drawBetween(walk.random, choice.birth.delay) * 1000 : Number.POSITIVE_INFINITY;
  // The earliest timer due before the action (or the end) fires first, alone: the walk draws again in
  // the state it leads to, so a walk seen up to a later end takes the same steps up to the earlier one.
  const due = Math.min(...record.timers.map((t) => t.at));
  if (due <= Math.min(next, end)) {
    refused.clear();
    return fireTimers(walk, record, due);
  }
  if (!choice || next > end) {
    walk.nextStep = next;
    return undefined;
  }
  const taken = takeAction(walk, choice, record, next);
  if (typeof taken === "string") {
    refused.add(choice.name);
    return record;
  }
  refused.clear();
  return taken;
}

/**
 * Birth: an entity nobody wrote is born by walking its lifecycle from the start along seeded
 * actions at seeded, ordered times before `now` — through `applyAction` (its in-place form), the function lived flows
 * use, so its fields are coherent by construction. It is created at a seeded time `birth.age` before
 * now that stays put as the clock moves (see toCreationTime); then each
 * step draws an action of its state (by birth weight, against the state's `stay`) and a delay; a
 * timer that falls due first fires first; it stops at a final state, a stay, `now` or `maxSteps`,
 * and the timers due by now fire. Buyer inputs are the operation's generated request with the
 * action's `birth.input` over it. Same seed, tenant, type, id and now → the same record.
 */
export function createBirth(options: { catalog: Catalog; lifecycles: ReadonlyMap<string, Lifecycle>; seed: string | number; producer?: Producer }): Birth {
  const { lifecycles, seed } = options;
  const producer = options.producer ?? createProducer(options.catalog, { seed });
  return (key, now) => {
    const lifecycle = lifecycles.get(key.type);
    if (!lifecycle) throw new Error(`Failed to bear ${key.type} "${key.id}": there is no lifecycle of that type.`);
    if (!isEntityId(lifecycle, key.id)) throw new Error(`Failed to bear ${key.type} "${key.id}": the id does not fit its id field (${lifecycle.id.kind}); check it with isEntityId first.`);
    const random = createRandomizer(hashToSeed(`${seed}|birth|${key.tenant}|${key.type}|${key.id}`)).next;
    const walk: Walk = { lifecycle, key, seed, producer, random, steps: [], nextStep: Number.POSITIVE_INFINITY };
    const end = Math.floor(now / 1000) * 1000;
    let record = createEntity(walk, end);
    const refused = new Set<string>();
    let steps = 0;
    for (; steps < lifecycle.birth.maxSteps; steps++) {
      const next = takeStep(walk, record, refused, end);
      if (!next) break;
      record = next;
    }
    const born = fireTimers(walk, record, end);
    // The walk seen at a later end: the same until its next step (none after maxSteps), its next timer, or its next creation time.
    const [youngest, oldest] = lifecycle.birth.age;
    const recreated = born.createdAt + (oldest - youngest + 1 + youngest) * 1000;
    const nextStep = steps < lifecycle.birth.maxSteps ? walk.nextStep : Number.POSITIVE_INFINITY;
    const stableUntil = Math.min(nextStep, recreated, ...born.timers.map((t) => t.at));
    return { record: born, steps: walk.steps, stableUntil };
  };
}
