import type { Catalog } from "../../schemas/catalog.js";
import type { Producer } from "../generate/create-producer.js";
import { createProducer } from "../generate/create-producer.js";
import { createRandomizer, hashToSeed } from "../generate/randomizer.js";
import type { ActionStep, NewEntity } from "./apply-action.js";
import { applyAction, isEntityId, toNewFields } from "./apply-action.js";
import { applyDueTimers } from "./apply-due-timers.js";
import type { ExpressionScope } from "./compile-expression.js";
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

/**
 * Birth: an entity nobody wrote is born by walking its lifecycle from the start along seeded
 * actions at seeded, ordered times before `now` — through `applyAction`, the function lived flows
 * use, so its fields are coherent by construction. It is created `birth.age` before now; then each
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
    const steps: ActionStep[] = [];

    /** The request a born buyer sends: a generated one (a seeded variant), with the action's birth input over it. */
    const toInput = (action: LifecycleAction, fields: Record<string, unknown>, at: number): unknown => {
      const operation = action.operations[0];
      if (!operation) return undefined;
      const request = producer.produceRequest(operation, Math.floor(random() * 0x7fffffff)) as Record<string, unknown>;
      const scope: ExpressionScope = { fields, input: request, vars: { id: key.id }, item: null, before: null, after: null, now: at, timers: [], random, rows: new Map(), kind: undefined };
      for (const [path, value] of action.birth.input) setPath(request, path, value(scope));
      return request;
    };
    /** Takes an action, trying generated requests until one meets its requirements; undefined when none does. */
    const take = (action: LifecycleAction, target: EntityRecord | NewEntity, at: number): EntityRecord | string => {
      const fields = "state" in target ? (target as EntityRecord).fields : toNewFields(lifecycle, key.id);
      let reason = "";
      for (let attempt = 0; attempt < (action.operations.length > 0 ? REQUEST_TRIES : 1); attempt++) {
        const step: ActionStep = { action: action.name, at, input: toInput(action, fields, at) };
        const outcome = applyAction(lifecycle, target, step, seed);
        if (outcome.ok) {
          steps.push(step);
          return outcome.record;
        }
        reason = outcome.refusal.reason;
      }
      return reason;
    };

    const end = Math.floor(now / 1000) * 1000;
    let at = end - drawBetween(random, lifecycle.birth.age) * 1000;
    const actions = [...lifecycle.actions.values()];
    const creator = pickWeighted(random, actions.filter((a) => a.from === null).map((a) => [a, a.birth.weight]));
    if (!creator) throw new Error(`Failed to bear ${key.type} "${key.id}": no creating action has a birth weight.`);
    const created = take(creator, { tenant: key.tenant, id: key.id }, at);
    if (typeof created === "string") throw new Error(`Failed to bear ${key.type} "${key.id}": "${creator.name}" refused ${REQUEST_TRIES} generated requests (${created}).`);
    let record = created;
    const refused = new Set<string>();
    for (let step = 0; step < lifecycle.birth.maxSteps; step++) {
      const state = lifecycle.states.get(record.state)!;
      if (state.final) break;
      const choices = actions.filter((a) => a.actor !== "timer" && a.from?.includes(record.state) && !refused.has(a.name));
      const choice = pickWeighted<LifecycleAction | undefined>(random, [...choices.map((a): [LifecycleAction, number] => [a, a.birth.weight]), [undefined, state.stay]]);
      const next = choice ? at + drawBetween(random, choice.birth.delay) * 1000 : Number.POSITIVE_INFINITY;
      const fired = applyDueTimers(lifecycle, record, Math.min(next, end), seed);
      if (fired !== record) {
        steps.push(...fired.history.slice(record.history.length).map((h) => ({ action: h.action, at: h.at })));
        [record, at] = [fired, fired.updatedAt];
        refused.clear();
        continue;
      }
      if (!choice || next > end) break;
      const taken = take(choice, record, next);
      if (typeof taken === "string") refused.add(choice.name);
      else {
        [record, at] = [taken, next];
        refused.clear();
      }
    }
    const fired = applyDueTimers(lifecycle, record, end, seed);
    steps.push(...fired.history.slice(record.history.length).map((h) => ({ action: h.action, at: h.at })));
    return { record: fired, steps };
  };
}
