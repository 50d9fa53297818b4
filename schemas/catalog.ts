import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { PACKAGE_ROOT } from "./package-root.js";
import type { Ajv, ValidateFunction } from "ajv";
import type { JsonSchema, OperationMeta } from "./operation.js";
import { createRouteTable } from "./route-table.js";
import type { SchemaStore } from "./schema-store.js";
import { createSchemaStore } from "./schema-store.js";
import { toResponseSchema } from "./operation.js";
import type { Violation } from "./violations.js";
import { toViolations } from "./violations.js";
import { validateExact } from "./validate-exact.js";

/** One documented operation, with everything derived from its schema file. */
export interface Operation {
  meta: OperationMeta;
  /** The schema file, relative to `schemas/`. */
  file: string;
  /** The file's `$id`; `${id}#/definitions/X` addresses its definitions. */
  id: string;
  schema: JsonSchema;
  /** `definitions.Request`, or undefined when the operation takes no parameters. */
  request: JsonSchema | undefined;
  /** `definitions.Data`: the payload inside the envelope. */
  data: JsonSchema | undefined;
  /** Why Data's shape is assumed (its `x-assumed`: the API does not document the answer); undefined when documented. */
  assumed: string | undefined;
  /** The whole response document, envelope included. */
  response: JsonSchema;
  /**
   * `exactNumbers`: the payload may hold bigint and InexactNumber (a request read by
   * mock/read-json.ts), judged on their exact values (schemas/validate-exact.ts); bigints stay.
   */
  checkRequest(payload: unknown, options?: { exactNumbers?: boolean }): Violation[];
  checkResponse(payload: unknown): Violation[];
}

export interface RouteMatch {
  operation: Operation;
  pathParams: Record<string, string>;
}

export interface Catalog {
  readonly operations: readonly Operation[];
  /** By name (path, TOP method or messageType), or an alias path. */
  find(name: string): Operation | undefined;
  /** A PandaPon operation by HTTP method and path (templates such as `/x/{refundId}` included). */
  matchRoute(method: string, path: string): RouteMatch | undefined;
  /** Resolves a `$ref` (local to the operation's file, or absolute), returning the schema it points to. */
  resolve(schema: JsonSchema, within: Operation): JsonSchema;
  /** Resolves a `$ref` against the `$id` of the file it sits in; returns the target and the target's file. */
  resolveRef(schema: JsonSchema, base: string): { schema: JsonSchema; base: string };
  /** The schema at an absolute reference (a file's `$id`, or `<$id>#/pointer`); undefined when there is none. */
  getSchema(ref: string): JsonSchema | undefined;
  /**
   * The shared validator instance (strict, all errors, custom keywords registered).
   * @deprecated Read schemas with `getSchema` and `resolveRef`, validate with `getValidator` or an operation's checks.
   */
  readonly ajv: Ajv;
  /** Checks every schema file against the metaschema now (a directory other than the package's is otherwise checked file by file on first use). */
  checkAllFiles(): void;
  getValidator(ref: string): ValidateFunction;
}

export const SCHEMA_DIR = join(PACKAGE_ROOT, "schemas");
const API_DIRS = ["pandapon", "top", "callbacks"];

/** Every operation file below `schemas/`, sorted, as [relative path, parsed JSON]. */
export function readOperationFiles(dir = SCHEMA_DIR): Array<[string, JsonSchema]> {
  const files: string[] = [];
  for (const api of API_DIRS) {
    const apiDir = join(dir, api);
    if (!existsSync(apiDir)) continue;
    for (const name of readdirSync(apiDir).sort()) {
      if (name.endsWith(".json")) files.push(join(apiDir, name));
    }
  }
  return files.map((file) => [relative(dir, file), JSON.parse(readFileSync(file, "utf8")) as JsonSchema]);
}

/** An Operation from its schema file: metadata, parts, the response document, lazily compiled checks. */
function toOperation(file: string, schema: JsonSchema, store: SchemaStore): Operation {
  const meta = schema["x-operation"] as OperationMeta | undefined;
  if (!meta) throw new Error(`Failed to load schema "${file}": it has no x-operation block.`);
  const id = String(schema.$id);
  const definitions = (schema.definitions ?? {}) as Record<string, JsonSchema>;
  const request = definitions.Request;
  const data = definitions.Data;
  const response = toResponseSchema(meta, `${id}#/definitions/Data`, data !== undefined);
  const responseId = id.replace(/\.json$/, ".response.json");
  store.add({ ...response, $id: responseId });
  const coerce = meta.api === "top" || meta.requestIn === "query";
  return {
    meta,
    file,
    id,
    schema,
    request,
    data,
    assumed: typeof data?.["x-assumed"] === "string" ? data["x-assumed"] : undefined,
    response,
    checkRequest: (payload, options) => {
      if (!request) return [];
      const validate = store.getValidator(`${id}#/definitions/Request`, { coerce });
      if (options?.exactNumbers) return toViolations(validateExact(validate, payload));
      return validate(payload) ? [] : toViolations(validate.errors);
    },
    checkResponse: (payload) => {
      const validate = store.getValidator(responseId);
      return validate(payload) ? [] : toViolations(validate.errors);
    },
  };
}

export function loadCatalog(dir = SCHEMA_DIR): Catalog {
  const files = readOperationFiles(dir);
  // The package's own files are checked by its tests; any other directory's files when first used.
  const store = createSchemaStore(files, { checkOnFirstUse: resolve(dir) !== SCHEMA_DIR });
  const operations = files.map(([file, schema]) => toOperation(file, schema, store));
  const byName = new Map<string, Operation>();
  const routes = createRouteTable<Operation>();
  for (const operation of operations) {
    const { meta } = operation;
    for (const name of [meta.name, ...(meta.aliases ?? [])]) {
      if (byName.has(name)) throw new Error(`Failed to load schema "${operation.file}": operation "${name}" is defined twice.`);
      byName.set(name, operation);
    }
    if (meta.api === "pandapon" && meta.path) {
      for (const path of [meta.path, ...(meta.aliases ?? [])]) routes.add(meta.method ?? "POST", path, operation);
    }
  }
  return {
    operations,
    ajv: store.ajv,
    getValidator: (ref) => store.getValidator(ref),
    checkAllFiles: store.checkAllFiles,
    find: (name) => byName.get(name),
    matchRoute(method, path) {
      const found = routes.match(method, path);
      return found && { operation: found.target, pathParams: found.pathParams };
    },
    resolveRef: store.resolveRef,
    getSchema: store.getSchema,
    resolve: (schema, within) => store.resolveRef(schema, within.id).schema,
  };
}

let shared: Catalog | undefined;

/** The catalog of `schemas/`, loaded and compiled once per process. */
export function getCatalog(): Catalog {
  shared ??= loadCatalog();
  return shared;
}
