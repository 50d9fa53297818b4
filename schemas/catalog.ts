import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PACKAGE_ROOT } from "../config/package-root.js";
import type { ValidateFunction } from "ajv";
import { Ajv } from "ajv";
import envelopes from "./common/envelopes.json" with { type: "json" };
import callbackMessage from "./common/callback-message.json" with { type: "json" };
import keywords from "./common/keywords.json" with { type: "json" };
import type { JsonSchema, OperationMeta } from "./operation.js";
import { toResponseSchema } from "./operation.js";
import type { Violation } from "./violations.js";
import { toViolations } from "./violations.js";

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
  /** The whole response document, envelope included. */
  response: JsonSchema;
  checkRequest(payload: unknown): Violation[];
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
  /** The shared validator instance (strict, all errors, custom keywords registered). */
  readonly ajv: Ajv;
  /** Checks every schema file against the metaschema now (files are otherwise checked on first use). */
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

/** A strict ajv with the x-* keywords registered; `coerceTypes` for query and form parameters. */
export function createAjv(options: { coerceTypes?: boolean; validateSchema?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
    coerceTypes: options.coerceTypes ?? false,
    validateSchema: options.validateSchema ?? true,
  });
  for (const [keyword, metaSchema] of Object.entries(keywords.definitions)) {
    ajv.addKeyword({ keyword, metaSchema, schemaType: keyword === "x-mock" ? ["string", "object"] : undefined });
  }
  ajv.addSchema(envelopes as JsonSchema);
  ajv.addSchema(callbackMessage as JsonSchema);
  return ajv;
}

/** Checks every x-* annotation in a schema file against its metaschema (common/keywords.json). */
function createAnnotationChecker(ajv: Ajv): (schema: JsonSchema) => string[] {
  const validators = new Map(Object.entries(keywords.definitions).map(([keyword, meta]) => [keyword, ajv.compile(meta as JsonSchema)]));
  return (schema) => {
    const problems: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      for (const [key, value] of Object.entries(node)) {
        const validate = validators.get(key);
        if (validate && !validate(value)) problems.push(`${path}/${key} ${ajv.errorsText(validate.errors, { dataVar: key })}`);
        else if (!key.startsWith("x-") || key === "x-operation") visit(value, `${path}/${key}`);
      }
    };
    visit(schema, "");
    return problems;
  };
}

function toRoutePattern(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a: string, b: string) => {
    names.push(a ?? b);
    return "([^/]+)";
  });
  return { regex: new RegExp(`^${source}$`), names };
}

/** A path segment decoded; a malformed percent-escape is kept as sent (the request schema judges it). */
function toDecodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function loadCatalog(dir = SCHEMA_DIR): Catalog {
  // Files are checked against the metaschema (x-* keywords included) the first time one of their
  // operations is used, not all at start: that is most of a cold start's schema work.
  const ajv = createAjv({ validateSchema: false });
  const files = readOperationFiles(dir);
  const fileById = new Map<string, [string, JsonSchema]>();
  for (const [file, schema] of files) {
    fileById.set(String(schema.$id), [file, schema]);
    ajv.addSchema(schema);
  }
  const checked = new Set<string>();
  const checkAnnotations = createAnnotationChecker(ajv);
  const checkFile = (id: string): void => {
    if (checked.has(id)) return;
    const entry = fileById.get(id);
    if (entry) {
      const problems = ajv.validateSchema(entry[1]) ? checkAnnotations(entry[1]) : [ajv.errorsText(ajv.errors)];
      if (problems.length > 0) throw new Error(`Failed to load schema "${entry[0]}": ${problems.join("; ")}`);
    }
    checked.add(id);
  };
  // Query and form parameters arrive as text: their validators coerce. Built when first needed.
  let coercing: Ajv | undefined;
  const getCoercing = (): Ajv => {
    if (!coercing) {
      coercing = createAjv({ coerceTypes: true, validateSchema: false });
      for (const [, schema] of files) coercing.addSchema(structuredClone(schema));
    }
    return coercing;
  };
  const validators = new Map<string, ValidateFunction>();
  const getValidator = (ref: string): ValidateFunction => {
    let v = validators.get(ref);
    if (!v) {
      checkFile(ref.replace(/#.*$/, "").replace(/\.response\.json$/, ".json"));
      v = ajv.getSchema(ref);
      if (!v) throw new Error(`Failed to find schema "${ref}".`);
      validators.set(ref, v);
    }
    return v;
  };

  const operations: Operation[] = [];
  const byName = new Map<string, Operation>();
  const exactRoutes = new Map<string, Operation>();
  const routes: Array<{ method: string; regex: RegExp; names: string[]; operation: Operation }> = [];

  for (const [file, schema] of files) {
    const meta = schema["x-operation"] as OperationMeta | undefined;
    if (!meta) throw new Error(`Failed to load schema "${file}": it has no x-operation block.`);
    const id = String(schema.$id);
    const definitions = (schema.definitions ?? {}) as Record<string, JsonSchema>;
    const request = definitions.Request;
    const data = definitions.Data;
    const response = toResponseSchema(meta, `${id}#/definitions/Data`, data !== undefined);
    const responseId = id.replace(/\.json$/, ".response.json");
    ajv.addSchema({ ...response, $id: responseId });
    // Validators compile on first use: a cold start compiles only what its first requests need.
    let requestValidator: ValidateFunction | undefined;
    const getRequestValidator = (): ValidateFunction => {
      checkFile(id);
      requestValidator ??= (meta.api === "top" || meta.requestIn === "query" ? getCoercing() : ajv).getSchema(`${id}#/definitions/Request`)!;
      return requestValidator;
    };
    const operation: Operation = {
      meta,
      file,
      id,
      schema,
      request,
      data,
      response,
      checkRequest: (payload) => {
        if (!request) return [];
        const validate = getRequestValidator();
        return validate(payload) ? [] : toViolations(validate.errors);
      },
      checkResponse: (payload) => {
        const v = getValidator(responseId);
        return v(payload) ? [] : toViolations(v.errors);
      },
    };
    for (const name of [meta.name, ...(meta.aliases ?? [])]) {
      if (byName.has(name)) throw new Error(`Failed to load schema "${file}": operation "${name}" is defined twice.`);
      byName.set(name, operation);
    }
    if (meta.api === "pandapon" && meta.path) {
      for (const path of [meta.path, ...(meta.aliases ?? [])]) {
        if (path.includes("{")) routes.push({ method: meta.method ?? "POST", ...toRoutePattern(path), operation });
        else exactRoutes.set(`${meta.method ?? "POST"} ${path}`, operation);
      }
    }
    operations.push(operation);
  }

  return {
    operations,
    ajv,
    getValidator,
    find: (name) => byName.get(name),
    checkAllFiles: () => fileById.forEach((_entry, id) => checkFile(id)),
    matchRoute(method, path) {
      const exact = exactRoutes.get(`${method} ${path}`);
      if (exact) return { operation: exact, pathParams: {} };
      for (const route of routes) {
        if (route.method !== method) continue;
        const m = route.regex.exec(path);
        if (!m) continue;
        const pathParams: Record<string, string> = {};
        route.names.forEach((name, i) => {
          pathParams[name] = toDecodedSegment(m[i + 1]!);
        });
        return { operation: route.operation, pathParams };
      }
      return undefined;
    },
    resolveRef(schema, base) {
      checkFile(base);
      let current = schema;
      let currentBase = base;
      for (let hops = 0; typeof current.$ref === "string"; hops++) {
        const ref = current.$ref;
        const absolute = ref.startsWith("#") ? currentBase + ref : ref;
        const target = ajv.getSchema(absolute)?.schema;
        if (!target || typeof target !== "object" || hops > 20) throw new Error(`Failed to resolve "${ref}" in "${currentBase}".`);
        current = target as JsonSchema;
        currentBase = absolute.replace(/#.*$/, "");
        checkFile(currentBase);
      }
      return { schema: current, base: currentBase };
    },
    resolve(schema, within) {
      return this.resolveRef(schema, within.id).schema;
    },
  };
}

let shared: Catalog | undefined;

/** The catalog of `schemas/`, loaded and compiled once per process. */
export function getCatalog(): Catalog {
  shared ??= loadCatalog();
  return shared;
}
