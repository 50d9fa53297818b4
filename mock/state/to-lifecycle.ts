import type { Catalog, Operation } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";
import { primaryKind } from "../../schemas/primary-kind.js";
import { compileExpression } from "./compile-expression.js";
import { findFieldSchema, type PlacedSchema } from "./find-field-schema.js";
import { compileAssignments, compileMembers, isLiteral, type Assign } from "./compile-setters.js";
import type { Lifecycle, LifecycleAction, LifecyclePush, LifecycleState } from "./lifecycle-model.js";
import type { ActionFile, LifecycleFile, PushFile, StateFile } from "./lifecycle-file.js";
import { toOperationNames, toSetFields } from "./lifecycle-file.js";
import { toBornLeaveOut } from "./to-born-request.js";

/** Born entities take an action this long after the previous one unless it says otherwise: 10 minutes to 2 days. */
const DEFAULT_DELAY: [number, number] = [600, 172_800];

/** Whether a schema allows null (its type or its enum says so). */
function allowsNull(schema: JsonSchema): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes("null") || (Array.isArray(schema.enum) && schema.enum.includes(null));
}

function toAssignments(entity: PlacedSchema, catalog: Catalog, set: Record<string, unknown> | undefined, at: string): Assign {
  return compileAssignments(
    Object.entries(set ?? {}).map(([field, value]) => {
      const schema = findFieldSchema(catalog, entity, field)?.schema;
      return {
        field,
        value: compileExpression(value, `${at}.${field}`),
        kind: schema ? primaryKind(schema) : undefined,
        nullable: !schema || allowsNull(schema),
        ...(isLiteral(value) ? { literal: { value } } : {}),
      };
    }),
  );
}

/** Fields without those below another of them (`a.b` is part of `a`). */
function toOwned(fields: string[]): string[] {
  const unique = [...new Set(fields)];
  return unique.filter((f) => !unique.some((other) => f.startsWith(`${other}.`)));
}

function toCompiledEntries(entries: Record<string, unknown> | undefined, at: string): Array<[string, ReturnType<typeof compileExpression>]> {
  return Object.entries(entries ?? {}).map(([name, value]) => [name, compileExpression(value, `${at}.${name}`)]);
}

/** An action's answer compiled; a member is left out for a null value where none of its operations' Data schemas allows null. */
function toAnswer(catalog: Catalog, operations: Operation[], entries: Record<string, unknown> | undefined, at: string): LifecycleAction["answer"] {
  return toCompiledEntries(entries, at).map(([path, value]) => {
    const schemas = operations.flatMap((op) => {
      const found = op.data ? findFieldSchema(catalog, { schema: op.data, base: op.id }, path) : undefined;
      return found ? [found.schema] : [];
    });
    return [path, value, schemas.length > 0 && !schemas.some(allowsNull)];
  });
}

function toPush(push: PushFile | undefined, at: string): LifecyclePush | undefined {
  if (!push) return undefined;
  return { messageType: push.messageType, platform: push.platform, assumed: push.assumed === true, body: push.body === undefined ? undefined : compileExpression(push.body, `${at}.body`) };
}

function toState(entity: PlacedSchema, catalog: Catalog, name: string, state: StateFile): LifecycleState {
  return {
    name,
    title: state.title,
    value: state.value ?? name,
    initial: state.initial === true,
    final: state.final === true,
    set: toAssignments(entity, catalog, state.set, `states.${name}.set`),
    timers: state.timers ?? [],
    stay: state.stay ?? 1,
    push: toPush(state.push, `states.${name}.push`),
  };
}

function toAction(entity: PlacedSchema, catalog: Catalog, file: LifecycleFile, action: ActionFile): LifecycleAction {
  const at = `actions.${action.name}`;
  const operations = toOperationNames(action).map((name) => catalog.find(name)!);
  return {
    name: action.name,
    title: action.title,
    actor: action.actor,
    operations,
    id: action.id === undefined ? undefined : compileExpression(action.id, `${at}.id`),
    answer: toAnswer(catalog, operations, action.answer, `${at}.answer`),
    from: action.from,
    requires: (action.requires ?? []).map((r, i) => ({ that: compileExpression(r.that, `${at}.requires[${i}]`), reason: r.reason })),
    to:
      typeof action.to === "string"
        ? [{ when: undefined, state: action.to }]
        : action.to.map((c, i) => ({ when: c.when === undefined ? undefined : compileExpression(c.when, `${at}.to[${i}]`), state: c.state })),
    let: toCompiledEntries(action.let, `${at}.let`),
    set: toAssignments(entity, catalog, action.set, `${at}.set`),
    log: action.log ? compileMembers(toCompiledEntries(action.log, `${at}.log`)) : undefined,
    push: toPush(action.push, `${at}.push`),
    birth: {
      weight: action.birth?.weight ?? 1,
      delay: action.birth?.delay ?? DEFAULT_DELAY,
      input: toCompiledEntries(action.birth?.input, `${at}.birth.input`),
      leaveOut: toBornLeaveOut(file, action, operations[0]?.request),
    },
  };
}

/** Compiles a checked lifecycle file (lifecycle-format, lifecycle-references) into the engine's model; throws for a malformed expression. */
export function toLifecycle(catalog: Catalog, file: string, json: LifecycleFile): Lifecycle {
  const operation = catalog.find(json.data.operation)!;
  const definition = json.data.definition ?? "Data";
  const entity: PlacedSchema = { schema: (operation.schema.definitions as Record<string, JsonSchema>)[definition]!, base: operation.id };
  const owned = toOwned([...(json.id.field ? [json.id.field] : []), ...(json.stateField ? [json.stateField] : []), ...(json.log ? [json.log.field] : []), ...toSetFields(json)]);
  return {
    type: json.type,
    title: json.title,
    file,
    data: { operation, definition, at: json.data.at ?? "", schemaRef: `${operation.id}#/definitions/${definition}` },
    views: (json.views ?? []).map((view, i) => ({ operation: catalog.find(view.operation)!, id: compileExpression(view.id, `views[${i}].id`), at: view.at ?? "" })),
    id: { field: json.id.field, pattern: json.id.pattern, kind: json.id.field ? primaryKind(findFieldSchema(catalog, entity, json.id.field)!.schema) : undefined },
    stateField: json.stateField,
    states: new Map(Object.entries(json.states).map(([name, state]) => [name, toState(entity, catalog, name, state)])),
    actions: new Map(json.actions.map((action) => [action.name, toAction(entity, catalog, json, action)])),
    always: toAssignments(entity, catalog, json.always, "always"),
    log: json.log,
    invariants: json.invariants.map((inv, i) => ({ name: inv.name, description: inv.description ?? "", that: compileExpression(inv.that, `invariants[${i}] (${inv.name})`) })),
    birth: json.birth,
    owned,
    optional: new Set(owned.filter((field) => !allowsNull(findFieldSchema(catalog, entity, field)?.schema ?? { type: "null" }))),
  };
}
