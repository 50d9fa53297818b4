import { readPath } from "../generate/read-path.js";
import type { ExpressionScope } from "./expression-scope.js";
import { isTruthy, toText } from "./compare-values.js";
import type { EntityRecord } from "./entity.js";
import type { Lifecycle } from "./lifecycle.js";

/** An invariant a record breaks: its name and what is wrong. */
export interface InvariantViolation {
  invariant: string;
  message: string;
}

function drawNothing(): number {
  throw new Error("Failed to check an invariant: invariants read the record and draw no random values.");
}

/** What the engine itself guarantees of every record: its type, state, state field, id, timers and history agree. */
function checkRecordShape(lifecycle: Lifecycle, record: EntityRecord): InvariantViolation[] {
  const state = lifecycle.states.get(record.state);
  const last = record.history[record.history.length - 1];
  const checks: Array<[string, boolean, string]> = [
    ["record-type", record.type === lifecycle.type, `the record is a ${record.type}, not a ${lifecycle.type}`],
    ["known-state", state !== undefined, `"${record.state}" is not a state of ${lifecycle.type}`],
    [
      "state-field",
      !lifecycle.stateField || readPath(record.fields, lifecycle.stateField) === state?.value,
      `${lifecycle.stateField} is ${toText(readPath(record.fields, lifecycle.stateField ?? ""))}, the state shows ${String(state?.value)}`,
    ],
    ["id-field", !lifecycle.id.field || toText(readPath(record.fields, lifecycle.id.field)) === record.id, `${lifecycle.id.field} is not the id ${record.id}`],
    [
      "owned-fields",
      lifecycle.owned.every((f) => readPath(record.fields, f) !== undefined || lifecycle.optional.has(f)),
      "a field the lifecycle sets is missing (only fields that do not allow null are left out while unset)",
    ],
    [
      "timers-of-state",
      record.timers.every((t) => state?.timers.some((s) => s.action === t.action)),
      `a timer does not belong to the state "${record.state}"`,
    ],
    ["history-ends-in-state", last?.to === record.state && last.at === record.updatedAt, "the last history line does not lead to the state at the last update"],
    ["history-in-order", record.history.every((h, i) => i === 0 || record.history[i - 1]!.at <= h.at), "the history goes back in time"],
  ];
  return checks.filter(([, holds]) => !holds).map(([invariant, , message]) => ({ invariant, message }));
}

/** The invariants a record breaks (the engine's own, then the lifecycle's), as data; empty when it is coherent. */
export function checkInvariants(lifecycle: Lifecycle, record: EntityRecord): InvariantViolation[] {
  const scope: ExpressionScope = {
    fields: record.fields,
    input: null,
    vars: { id: record.id },
    item: null,
    before: record.state,
    after: record.state,
    now: record.updatedAt,
    timers: record.timers,
    random: drawNothing,
    rows: new Map(),
    kind: undefined,
  };
  const broken = lifecycle.invariants
    .filter((inv) => !isTruthy(inv.that(scope)))
    .map((inv) => ({ invariant: inv.name, message: `${inv.description || inv.name} — does not hold in the state "${record.state}"` }));
  return [...checkRecordShape(lifecycle, record), ...broken];
}
