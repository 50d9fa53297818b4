import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_DIR } from "./catalog.js";

/** What the lifecycle files say of operations, read as written (the mock compiles them; this only names). */
interface WiringPart {
  views?: Array<{ operation: string }>;
  actions?: Array<{ operation?: string | string[]; from: unknown; id?: unknown }>;
}

/** The operations whose answers show entities (views), and those that take actions on them. */
export interface WiredOperations {
  viewed: ReadonlySet<string>;
  acted: ReadonlySet<string>;
}

/**
 * Which operations the lifecycle files of a directory wire to entities: the views' operations, and
 * the operations of buyer actions taken through the API (creating ones, and those with an `id`).
 */
export function readWiredOperations(dir = join(SCHEMA_DIR, "lifecycles")): WiredOperations {
  const viewed = new Set<string>();
  const acted = new Set<string>();
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".json") && name !== "lifecycle.schema.json") : [];
  for (const name of files.sort()) {
    const file = JSON.parse(readFileSync(join(dir, name), "utf8")) as WiringPart;
    for (const view of file.views ?? []) viewed.add(view.operation);
    for (const action of file.actions ?? []) {
      if (action.operation === undefined || (action.from !== null && action.id === undefined)) continue;
      for (const operation of Array.isArray(action.operation) ? action.operation : [action.operation]) acted.add(operation);
    }
  }
  return { viewed, acted };
}

let shared: WiredOperations | undefined;

/** The wiring of schemas/lifecycles/, read once per process. */
export function getWiredOperations(): WiredOperations {
  shared ??= readWiredOperations();
  return shared;
}
