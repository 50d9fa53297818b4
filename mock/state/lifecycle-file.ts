/** A lifecycle file as written (schemas/lifecycles/<type>.json; its format is lifecycle.schema.json there). */
export interface LifecycleFile {
  type: string;
  title: string;
  notes?: string[];
  data: { operation: string; definition?: string; at?: string };
  views?: Array<{ operation: string; id: unknown; at?: string }>;
  id: { field?: string; pattern: string };
  stateField?: string;
  states: Record<string, StateFile>;
  actions: ActionFile[];
  always?: Record<string, unknown>;
  log?: { field: string; format: "list" | "json-text"; order: "newest-first" | "oldest-first"; max: number };
  invariants: Array<{ name: string; description?: string; that: unknown }>;
  birth: { age: [number, number]; maxSteps: number };
}

export interface StateFile {
  title: string;
  value?: string | number;
  initial?: true;
  final?: true;
  set?: Record<string, unknown>;
  timers?: Array<{ after: number; action: string }>;
  stay?: number;
  push?: PushFile;
}

/** A message a transition pushes (see lifecycle.schema.json, definitions/push). */
export interface PushFile {
  messageType: string;
  platform: 0 | 1;
  assumed?: true;
  body?: unknown;
}

export interface ActionFile {
  name: string;
  title: string;
  actor: "buyer" | "seller" | "platform" | "timer";
  operation?: string | string[];
  id?: unknown;
  answer?: Record<string, unknown>;
  from: string[] | null;
  requires?: Array<{ that: unknown; reason: string }>;
  to: string | Array<{ when?: unknown; state: string }>;
  let?: Record<string, unknown>;
  set?: Record<string, unknown>;
  log?: Record<string, unknown>;
  push?: PushFile;
  birth?: { weight?: number; delay?: [number, number]; input?: Record<string, unknown> };
}

/** The operations an action names, as a list. */
export function toOperationNames(action: ActionFile): string[] {
  return action.operation === undefined ? [] : Array.isArray(action.operation) ? action.operation : [action.operation];
}

/** Every field a lifecycle sets: by its actions, on entering its states, after every action. */
export function toSetFields(file: LifecycleFile): string[] {
  const fields = [
    ...file.actions.flatMap((a) => Object.keys(a.set ?? {})),
    ...Object.values(file.states).flatMap((s) => Object.keys(s.set ?? {})),
    ...Object.keys(file.always ?? {}),
  ];
  return [...new Set(fields)];
}
