import type { Operation } from "../../schemas/catalog.js";
import type { Kind } from "../../schemas/primary-kind.js";
import type { Assign } from "./compile-setters.js";
import type { Evaluate, ExpressionScope } from "./expression-scope.js";

/** A lifecycle as the engine uses it: its file read, checked and compiled (see lifecycle.ts). */
export type Actor = "buyer" | "seller" | "platform" | "timer";

export type { Assign, Assignment } from "./compile-setters.js";

/** A message a transition pushes: its messageType (assumed: named by the project), platform, and body (undefined: the entity's fields). */
export interface LifecyclePush {
  messageType: string;
  platform: 0 | 1;
  assumed: boolean;
  body: Evaluate | undefined;
}

export interface LifecycleState {
  name: string;
  title: string;
  /** What the state field shows. */
  value: string | number;
  initial: boolean;
  final: boolean;
  /** Sets the fields whenever an action enters the state from another. */
  set: Assign;
  timers: Array<{ after: number; action: string }>;
  /** Birth: the weight of stopping here. */
  stay: number;
  /** Pushed whenever an action enters the state from another. */
  push: LifecyclePush | undefined;
}

export interface LifecycleAction {
  name: string;
  title: string;
  actor: Actor;
  /** The PandaPon paths or TOP methods that perform a buyer action (the first is the one born entities use). */
  operations: Operation[];
  /** Of a buyer action on an existing entity taken through its operations: the entity's id, from the request (the input). */
  id: Evaluate | undefined;
  /**
   * What the operation's answer shows after the action: paths inside its Data and their values, from
   * the entity after the action; `omitNull`: the operations' schemas have no null there, so a null
   * value leaves the member out (as a view leaves out an unset field).
   */
  answer: Array<[path: string, value: Evaluate, omitNull: boolean]>;
  /** null: the action creates the entity. */
  from: string[] | null;
  requires: Array<{ that: Evaluate; reason: string }>;
  to: Array<{ when: Evaluate | undefined; state: string }>;
  let: Array<[name: string, value: Evaluate]>;
  set: Assign;
  /** Makes the action's log entry (members without a value left out). */
  log: ((scope: ExpressionScope) => Record<string, unknown>) | undefined;
  /** Pushed whenever the action is taken. */
  push: LifecyclePush | undefined;
  /** `leaveOut`: members of the born request not generated (nothing reads them, or the birth input sets them). */
  birth: { weight: number; delay: [number, number]; input: Array<[path: string, value: Evaluate]>; leaveOut: string[] };
}

export interface Lifecycle {
  type: string;
  title: string;
  /** The file below schemas/lifecycles/. */
  file: string;
  /** The operation whose schema defines the fields, the definition, and where it sits in the operation's Data. */
  data: { operation: Operation; definition: string; at: string; schemaRef: string };
  /** The operations whose answers show the entity: the id from the request, where in Data the entity sits. */
  views: Array<{ operation: Operation; id: Evaluate; at: string }>;
  /** The id field (if a field holds the id), its type in the schema, and the pattern of created ids. */
  id: { field: string | undefined; pattern: string; kind: Kind | undefined };
  stateField: string | undefined;
  states: ReadonlyMap<string, LifecycleState>;
  actions: ReadonlyMap<string, LifecycleAction>;
  always: Assign;
  log: { field: string; format: "list" | "json-text"; order: "newest-first" | "oldest-first"; max: number } | undefined;
  invariants: Array<{ name: string; description: string; that: Evaluate }>;
  birth: { age: [number, number]; maxSteps: number };
  /** Every field the lifecycle sets (a member below one of them is its part): the entity owns them, a view generates the others. */
  owned: readonly string[];
  /** Owned fields whose schema does not allow null: absent while unset (a view leaves them out). */
  optional: ReadonlySet<string>;
}
