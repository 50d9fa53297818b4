import type { Catalog } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";
import { findFieldSchema } from "./find-field-schema.js";
import type { ActionFile, LifecycleFile, PushFile } from "./lifecycle-file.js";
import { toOperationNames, toSetFields } from "./lifecycle-file.js";

/** The states an action may lead to. */
function toTargets(action: ActionFile): string[] {
  return typeof action.to === "string" ? [action.to] : action.to.map((c) => c.state);
}

function checkFields(catalog: Catalog, file: LifecycleFile): string[] {
  const operation = catalog.find(file.data.operation);
  if (!operation) return [`data.operation "${file.data.operation}" is not an operation of the catalog`];
  const definition = file.data.definition ?? "Data";
  const schema = (operation.schema.definitions as Record<string, JsonSchema> | undefined)?.[definition];
  if (!schema) return [`data.definition "${definition}" is not a definition of ${operation.file}`];
  const fields = [file.id.field, file.stateField, file.log?.field, ...toSetFields(file)].filter((f): f is string => f !== undefined);
  return [...new Set(fields)]
    .filter((field) => !findFieldSchema(catalog, { schema, base: operation.id }, field))
    .map((field) => `field "${field}" is not a member of ${definition} in ${operation.file}`);
}

function checkStates(file: LifecycleFile): string[] {
  const problems: string[] = [];
  const states = Object.entries(file.states);
  const has = (name: string) => name in file.states;
  if (!states.some(([, s]) => s.initial)) problems.push("no state is initial");
  for (const action of file.actions) {
    for (const state of [...(action.from ?? []), ...toTargets(action)]) {
      if (!has(state)) problems.push(`action "${action.name}" names the state "${state}", which is not declared`);
    }
    for (const state of action.from ?? []) if (file.states[state]?.final) problems.push(`action "${action.name}" leaves the final state "${state}"`);
    if (action.from === null) {
      for (const state of toTargets(action)) if (has(state) && !file.states[state]!.initial) problems.push(`creating action "${action.name}" leads to "${state}", which is not initial`);
    }
  }
  if (!file.actions.some((a) => a.from === null)) problems.push("no action creates the entity (from: null)");
  if (file.stateField) {
    const values = states.map(([name, s]) => String(s.value ?? name));
    if (new Set(values).size !== values.length) problems.push("two states show the same value in the state field");
  }
  return problems;
}

function checkActions(catalog: Catalog, file: LifecycleFile): string[] {
  const problems: string[] = [];
  const names = file.actions.map((a) => a.name);
  for (const name of names.filter((n, i) => names.indexOf(n) !== i)) problems.push(`action "${name}" is declared twice`);
  const timed = new Map<string, string[]>();
  for (const [state, s] of Object.entries(file.states)) {
    for (const timer of s.timers ?? []) timed.set(timer.action, [...(timed.get(timer.action) ?? []), state]);
  }
  for (const action of file.actions) {
    const operations = toOperationNames(action);
    if (action.actor !== "buyer" && operations.length > 0) problems.push(`action "${action.name}" of the ${action.actor} names an operation (only buyer actions are API calls)`);
    for (const name of operations) if (!catalog.find(name)) problems.push(`action "${action.name}": operation "${name}" is not in the catalog`);
    if (action.id !== undefined && (operations.length === 0 || action.from === null)) problems.push(`action "${action.name}" has an id but ${action.from === null ? "creates the entity (its id is made)" : "no operation to read it from"}`);
    if (action.answer && operations.length === 0) problems.push(`action "${action.name}" has an answer but no operation to answer`);
    if (action.birth?.input && operations.length === 0) problems.push(`action "${action.name}" has a birth input but no operation to generate its request`);
    if (action.log && !file.log) problems.push(`action "${action.name}" logs, but the lifecycle has no log`);
    const states = timed.get(action.name);
    if ((action.actor === "timer") !== (states !== undefined)) problems.push(`action "${action.name}": timer actions, and only they, are taken by the states' timers`);
    for (const state of states ?? []) if (!action.from?.includes(state)) problems.push(`the timer of "${state}" takes "${action.name}", which cannot be taken there`);
  }
  for (const action of timed.keys()) if (!names.includes(action)) problems.push(`a timer takes the action "${action}", which is not declared`);
  for (const view of file.views ?? []) if (!catalog.find(view.operation)) problems.push(`view: operation "${view.operation}" is not in the catalog`);
  if (file.log && !file.actions.some((a) => a.log)) problems.push("the lifecycle has a log but no action writes to it");
  return problems;
}

/** A documented messageType names a callback of the catalog; an assumed one names none. */
function checkPushes(catalog: Catalog, file: LifecycleFile): string[] {
  const pushes: Array<[string, PushFile]> = [
    ...file.actions.flatMap((a): Array<[string, PushFile]> => (a.push ? [[`action "${a.name}"`, a.push]] : [])),
    ...Object.entries(file.states).flatMap(([name, s]): Array<[string, PushFile]> => (s.push ? [[`state "${name}"`, s.push]] : [])),
  ];
  return pushes.flatMap(([where, push]) => {
    const callback = catalog.find(push.messageType);
    const documented = callback !== undefined && callback.meta.api === "callback";
    if (push.assumed && documented) return [`${where} pushes ${push.messageType}, which is documented: it is not assumed`];
    if (!push.assumed && !documented) return [`${where} pushes ${push.messageType}, which is no callback of the catalog: mark it assumed`];
    return [];
  });
}

function checkReachable(file: LifecycleFile): string[] {
  const reached = new Set(file.actions.filter((a) => a.from === null).flatMap(toTargets));
  for (let grew = true; grew; ) {
    grew = false;
    for (const action of file.actions) {
      if (!action.from?.some((s) => reached.has(s))) continue;
      for (const state of toTargets(action)) {
        if (reached.has(state)) continue;
        reached.add(state);
        grew = true;
      }
    }
  }
  return Object.keys(file.states).filter((s) => !reached.has(s)).map((s) => `state "${s}" cannot be reached`);
}

/** Every field the lifecycle sets is set at creation too, so a record always holds all it owns (a view overlays them all). */
function checkCreationSetsAll(file: LifecycleFile): string[] {
  const owned = toSetFields(file);
  const always = Object.keys(file.always ?? {});
  return file.actions
    .filter((a) => a.from === null)
    .flatMap((action) =>
      toTargets(action).flatMap((state) => {
        const set = new Set([...Object.keys(action.set ?? {}), ...Object.keys(file.states[state]?.set ?? {}), ...always]);
        const missing = owned.filter((f) => !f.split(".").some((_s, i, parts) => set.has(parts.slice(0, i + 1).join("."))));
        return missing.length === 0 ? [] : [`creating action "${action.name}" (to "${state}") leaves unset: ${missing.join(", ")}`];
      }),
    );
}

function checkRanges(file: LifecycleFile): string[] {
  const ranges: Array<[string, [number, number] | undefined]> = [
    ["birth.age", file.birth.age],
    ...file.actions.map((a): [string, [number, number] | undefined] => [`birth.delay of "${a.name}"`, a.birth?.delay]),
  ];
  return ranges.filter(([, r]) => r && r[0] > r[1]).map(([name]) => `${name} runs backwards`);
}

/** Problems of a lifecycle that fits the format: names that do not resolve, unreachable states, fields not in the schema… */
export function checkLifecycleReferences(catalog: Catalog, fileName: string, file: LifecycleFile): string[] {
  const problems = fileName === `${file.type}.json` ? [] : [`the file of type "${file.type}" must be named ${file.type}.json`];
  return [...problems, ...checkFields(catalog, file), ...checkStates(file), ...checkActions(catalog, file), ...checkPushes(catalog, file), ...checkReachable(file), ...checkCreationSetsAll(file), ...checkRanges(file)];
}
