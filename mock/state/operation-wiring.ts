import { readPath } from "../generate/read-path.js";
import { copyPlain } from "./copy-plain.js";
import type { EntityRecord } from "./entity.js";
import type { Evaluate, ExpressionScope } from "./expression-scope.js";
import type { Lifecycle, LifecycleAction } from "./lifecycle.js";

/**
 * What one API operation does with the entities of one lifecycle, as its lifecycle file declares:
 * shows one (a view: `views`), or takes a buyer action (`operation` on an action) — the creating
 * action when the request names no entity, else the action the named entity's state allows.
 */
export type WiringStep =
  | { kind: "view"; lifecycle: Lifecycle; id: Evaluate; at: string }
  | { kind: "act"; lifecycle: Lifecycle; creating: LifecycleAction | undefined; acting: LifecycleAction[] };

/** A change to an answer's generated Data: a member set at a dotted path, or removed (value undefined). */
export interface DataEdit {
  path: string;
  value: unknown;
}

/** Every operation that shows or moves an entity, with its steps in lifecycle order (actions before views). */
export function toOperationWiring(types: Iterable<Lifecycle>): ReadonlyMap<string, WiringStep[]> {
  const lifecycles = [...types];
  const wiring = new Map<string, WiringStep[]>();
  const add = (operation: string, step: WiringStep) => wiring.set(operation, [...(wiring.get(operation) ?? []), step]);
  for (const lifecycle of lifecycles) {
    const operations = new Set([...lifecycle.actions.values()].flatMap((a) => a.operations.map((o) => o.meta.name)));
    for (const operation of operations) {
      const takes = [...lifecycle.actions.values()].filter((a) => a.operations.some((o) => o.meta.name === operation));
      const creating = takes.find((a) => a.from === null);
      const acting = takes.filter((a) => a.from !== null && a.id !== undefined);
      if (creating || acting.length > 0) add(operation, { kind: "act", lifecycle, creating, acting });
    }
  }
  for (const lifecycle of lifecycles) {
    for (const view of lifecycle.views) add(view.operation.meta.name, { kind: "view", lifecycle, id: view.id, at: view.at });
  }
  return wiring;
}

function toScope(fields: Record<string, unknown>, input: unknown, id: string | undefined, now: number): ExpressionScope {
  return { fields, input, vars: id === undefined ? {} : { id }, item: null, before: null, after: null, now, timers: [], random: () => 0, rows: new Map(), kind: undefined };
}

function toIdText(value: unknown): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "bigint" ? String(value) : undefined;
}

/** The entity id an expression reads from a request, as text (undefined: the request names none). */
export function readRequestId(id: Evaluate, request: unknown, now: number): string | undefined {
  return toIdText(id(toScope({}, request, undefined, now)));
}

/**
 * The ids a request names for the acting actions (the first action's expression that reads any): one
 * id, or several when the expression reads a list (an operation on several entities at once, such
 * as paying a batch of orders); empty when the request names none.
 */
export function readActingIds(step: Extract<WiringStep, { kind: "act" }>, request: unknown, now: number): string[] {
  for (const action of step.acting) {
    const value = action.id!(toScope({}, request, undefined, now));
    const ids = (Array.isArray(value) ? value : [value]).map(toIdText).filter((id): id is string => id !== undefined);
    if (ids.length > 0) return [...new Set(ids)];
  }
  return [];
}

const join = (at: string, field: string) => (at === "" ? field : `${at}.${field}`);

/**
 * The entity shown at `at`: every field it owns set from the record (copied: an answer's data is
 * consumed as it is written), an unset one removed where its schema has no null, null elsewhere.
 */
export function toViewEdits(lifecycle: Lifecycle, record: EntityRecord, at: string): DataEdit[] {
  return lifecycle.owned.map((field) => {
    const value = readPath(record.fields, field);
    if (value === undefined) return { path: join(at, field), value: lifecycle.optional.has(field) ? undefined : null };
    return { path: join(at, field), value: copyPlain(value) };
  });
}

/** What an action's `answer` shows, read from the entity after the action and the request (a null where the schema has none: left out). */
export function toAnswerEdits(action: LifecycleAction, record: EntityRecord, request: unknown): DataEdit[] {
  const scope = toScope(record.fields, request, record.id, record.updatedAt);
  return action.answer.map(([path, value, omitNull]) => {
    const shown = value(scope);
    return { path, value: shown === null && omitNull ? undefined : copyPlain(shown) };
  });
}
