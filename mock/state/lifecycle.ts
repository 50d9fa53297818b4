import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Catalog, Operation } from "../../schemas/catalog.js";
import { SCHEMA_DIR, getCatalog } from "../../schemas/catalog.js";
import type { Kind } from "../../schemas/primary-kind.js";
import type { Evaluate } from "./compile-expression.js";
import { checkLifecycleFormat } from "./lifecycle-format.js";
import type { LifecycleFile } from "./lifecycle-file.js";
import { checkLifecycleReferences } from "./lifecycle-references.js";
import { toLifecycle } from "./to-lifecycle.js";

export const LIFECYCLE_DIR = join(SCHEMA_DIR, "lifecycles");
/** The file format's own schema, beside the lifecycles. */
export const FORMAT_FILE = "lifecycle.schema.json";

export type Actor = "buyer" | "seller" | "platform" | "timer";

/** A field set to an expression's value; `kind` is the field's type in the entity's schema, `nullable` whether it allows null (else null removes it). */
export interface Assignment {
  field: string;
  value: Evaluate;
  kind: Kind | undefined;
  nullable: boolean;
}

export interface LifecycleState {
  name: string;
  title: string;
  /** What the state field shows. */
  value: string | number;
  initial: boolean;
  final: boolean;
  /** Set whenever an action enters the state from another. */
  set: Assignment[];
  timers: Array<{ after: number; action: string }>;
  /** Birth: the weight of stopping here. */
  stay: number;
}

export interface LifecycleAction {
  name: string;
  title: string;
  actor: Actor;
  /** The PandaPon paths or TOP methods that perform a buyer action (the first is the one born entities use). */
  operations: Operation[];
  /** null: the action creates the entity. */
  from: string[] | null;
  requires: Array<{ that: Evaluate; reason: string }>;
  to: Array<{ when: Evaluate | undefined; state: string }>;
  let: Array<[name: string, value: Evaluate]>;
  set: Assignment[];
  log: Array<[member: string, value: Evaluate]> | undefined;
  birth: { weight: number; delay: [number, number]; input: Array<[path: string, value: Evaluate]> };
}

export interface Lifecycle {
  type: string;
  title: string;
  /** The file below schemas/lifecycles/. */
  file: string;
  /** The operation whose schema defines the fields, the definition, and where it sits in the operation's Data. */
  data: { operation: Operation; definition: string; at: string; schemaRef: string };
  /** The id field (if a field holds the id), its type in the schema, and the pattern of created ids. */
  id: { field: string | undefined; pattern: string; kind: Kind | undefined };
  stateField: string | undefined;
  states: ReadonlyMap<string, LifecycleState>;
  actions: ReadonlyMap<string, LifecycleAction>;
  always: Assignment[];
  log: { field: string; format: "list" | "json-text"; order: "newest-first" | "oldest-first"; max: number } | undefined;
  invariants: Array<{ name: string; description: string; that: Evaluate }>;
  birth: { age: [number, number]; maxSteps: number };
  /** Every field the lifecycle sets (a member below one of them is its part): the entity owns them, a view generates the others. */
  owned: readonly string[];
  /** Owned fields whose schema does not allow null: absent while unset (a view leaves them out). */
  optional: ReadonlySet<string>;
}

/** Every lifecycle file of a directory (the format's own schema left out), sorted, as [file name, parsed JSON]. */
export function readLifecycleFiles(dir = LIFECYCLE_DIR): Array<[string, unknown]> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json") && name !== FORMAT_FILE)
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown]);
}

/** Reads, checks and compiles every lifecycle; throws naming each file's problems (a lifecycle is configuration). */
export function loadLifecycles(catalog: Catalog, dir = LIFECYCLE_DIR): ReadonlyMap<string, Lifecycle> {
  const lifecycles = new Map<string, Lifecycle>();
  const problems: string[] = [];
  for (const [file, json] of readLifecycleFiles(dir)) {
    const found = checkLifecycleFormat(json);
    if (found.length === 0) found.push(...checkLifecycleReferences(catalog, file, json as LifecycleFile));
    if (found.length > 0) {
      problems.push(...found.map((p) => `${file}: ${p}`));
      continue;
    }
    try {
      const lifecycle = toLifecycle(catalog, file, json as LifecycleFile);
      lifecycles.set(lifecycle.type, lifecycle);
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new Error(`Failed to load lifecycles from ${dir}:\n  ${problems.join("\n  ")}`);
  return lifecycles;
}

let shared: ReadonlyMap<string, Lifecycle> | undefined;

/** The lifecycles of schemas/lifecycles/, loaded once per process. */
export function getLifecycles(): ReadonlyMap<string, Lifecycle> {
  shared ??= loadLifecycles(getCatalog());
  return shared;
}
