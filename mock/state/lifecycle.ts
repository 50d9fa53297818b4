import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Catalog } from "../../schemas/catalog.js";
import { SCHEMA_DIR, getCatalog } from "../../schemas/catalog.js";
import { checkLifecycleFormat } from "./lifecycle-format.js";
import type { LifecycleFile } from "./lifecycle-file.js";
import { checkLifecycleReferences } from "./lifecycle-references.js";
import type { Lifecycle } from "./lifecycle-model.js";
import { toLifecycle } from "./to-lifecycle.js";

export const LIFECYCLE_DIR = join(SCHEMA_DIR, "lifecycles");
/** The file format's own schema, beside the lifecycles. */
export const FORMAT_FILE = "lifecycle.schema.json";

export type { Actor, Assignment, Lifecycle, LifecycleAction, LifecycleState } from "./lifecycle-model.js";

/** Every lifecycle file of a directory (the format's own schema left out), sorted, as [file name, parsed JSON]. */
export function readLifecycleFiles(dir = LIFECYCLE_DIR): Array<[string, unknown]> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json") && name !== FORMAT_FILE)
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown]);
}

/**
 * Reads, checks and compiles every lifecycle; throws naming each file's problems (a lifecycle is
 * configuration). The files the package ships are checked against the format's schema by its tests
 * (test/lifecycle-files.test.ts), so that check — compiling the format's schema is most of a stateful
 * mock's first answer — is left to them; their references are checked here all the same. Files of
 * another directory get both checks.
 */
export function loadLifecycles(catalog: Catalog, dir = LIFECYCLE_DIR): ReadonlyMap<string, Lifecycle> {
  const lifecycles = new Map<string, Lifecycle>();
  const problems: string[] = [];
  const checkFormat = dir !== LIFECYCLE_DIR;
  for (const [file, json] of readLifecycleFiles(dir)) {
    const found = checkFormat ? checkLifecycleFormat(json) : [];
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
