import envelopes from "./common/envelopes.json" with { type: "json" };
import type { Catalog, Operation } from "./catalog.js";
import type { JsonSchema } from "./operation.js";

/** JSON Schema keywords OpenAPI 3.0's Schema Object keeps as they are. */
const KEPT = new Set([
  "title", "description", "format", "default", "multipleOf", "maximum", "minimum", "maxLength", "minLength",
  "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum",
]);
const MAX_DEPTH = 64;

const HEADERS: JsonSchema = {
  AccessKey: { name: "access-key", in: "header", required: true, description: "AccessKey assigned by PandaPon (signed)", schema: { type: "string" } },
  Timestamp: { name: "timestamp", in: "header", required: true, description: "Epoch milliseconds, within 600 s of UTC (signed)", schema: { type: "string" } },
  NonceStr: { name: "nonce-str", in: "header", required: false, description: "32-character random string (signed); 可选 on the API pages, 是 in the manual", schema: { type: "string" } },
  UserId: { name: "user-id", in: "header", required: true, description: "Sub-account permission control (not signed)", schema: { type: "string" } },
  Signature: { name: "signature", in: "header", required: true, description: "Request signature; the rule is not documented — see the kit's README", schema: { type: "string" } },
  QueryTimestamp: { name: "timestamp", in: "query", required: true, description: "Warehouse-logistics operations: timestamp as a query parameter", schema: { type: "string" } },
  QuerySign: { name: "sign", in: "query", required: true, description: "Warehouse-logistics operations: signature as a query parameter (rule not documented)", schema: { type: "string" } },
};

function toSystemParameters(operation: Operation): JsonSchema[] {
  const names = operation.meta.auth === "query-sign" ? ["QueryTimestamp", "QuerySign"] : ["AccessKey", "Timestamp", "NonceStr", "UserId", "Signature"];
  return names.map((name) => ({ $ref: `#/components/parameters/${name}` }));
}

/** Query and path parameters of an operation whose Request travels outside the body. */
function toRequestParameters(catalog: Catalog, operation: Operation, path: string): JsonSchema[] {
  const request = operation.request ? catalog.resolve(operation.request, operation) : undefined;
  const properties = (request?.properties ?? {}) as Record<string, unknown>;
  const required = new Set((request?.required as string[] | undefined) ?? []);
  const inPath = new Set([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
  const queryToo = operation.meta.requestIn !== "body";
  return Object.entries(properties)
    .filter(([name]) => inPath.has(name) || queryToo)
    .map(([name, schema]) => ({
      name,
      in: inPath.has(name) ? "path" : "query",
      required: inPath.has(name) || required.has(name),
      schema: toOpenApiSchema(catalog, operation, schema, operation.id),
    }));
}

function toOperationObject(catalog: Catalog, operation: Operation, path: string): JsonSchema {
  const { meta } = operation;
  const entry: JsonSchema = {
    summary: meta.summary,
    description: `${meta.group}; documentation coverage: ${meta.coverage}.${(meta.notes ?? []).map((n) => `\n\n- ${n}`).join("")}`,
    operationId: path.replace(/\W+/g, "_").replace(/^_/, ""),
    tags: [meta.group],
    externalDocs: { url: meta.docUrl },
    parameters: [...toSystemParameters(operation), ...toRequestParameters(catalog, operation, path)],
    responses: {
      "200": { description: "成功", content: { "application/json": { schema: toOpenApiSchema(catalog, operation, operation.response, operation.id) } } },
      default: { description: "An error envelope (data null)", content: { "application/json": { schema: { $ref: "#/components/schemas/PandaponError" } } } },
    },
  };
  if (operation.request && meta.requestIn === "body") {
    entry.requestBody = { required: true, content: { "application/json": { schema: toOpenApiSchema(catalog, operation, operation.request, operation.id) } } };
  }
  return entry;
}

/**
 * An OpenAPI 3.0 document for PandaPon operations (all by default), from the catalog's schemas
 * (draft-07): $refs inlined, union types → `nullable` (or `anyOf`), `const` → `enum`, `examples` →
 * `example`, x-* and other keywords OpenAPI 3.0 lacks dropped. Alias paths get their own entries.
 */
export function toOpenApi(catalog: Catalog, names?: string[]): JsonSchema {
  const operations = names
    ? names.map((name) => {
        const operation = catalog.find(name);
        if (!operation?.meta.path) throw new Error(`Failed to export "${name}" to OpenAPI: it is not a PandaPon operation with a path.`);
        return operation;
      })
    : catalog.operations.filter((o) => o.meta.api === "pandapon" && o.meta.path);
  const paths: Record<string, JsonSchema> = {};
  for (const operation of operations) {
    for (const path of [operation.meta.path!, ...(operation.meta.aliases ?? [])]) {
      paths[path] = { ...paths[path], [(operation.meta.method ?? "POST").toLowerCase()]: toOperationObject(catalog, operation, path) };
    }
  }
  const error = envelopes.definitions.PandaponError as unknown as JsonSchema;
  return {
    openapi: "3.0.3",
    info: {
      title: "PandaPon OpenAPI (from pandapon-mock schemas)",
      version: "1.0.0",
      description: "Generated from the schema files of pandapon-mock. Only documented members are listed; partial pages are marked. The signature rule and the error table are not documented by PandaPon.",
    },
    servers: [{ url: "https://api.pandapon.com" }, { url: "http://127.0.0.1:4010", description: "pandapon-mock" }],
    paths,
    components: {
      parameters: HEADERS,
      schemas: { PandaponError: toOpenApiSchema(catalog, operations[0]!, error, "https://pandapon-mock.dev/schemas/common/envelopes.json") },
    },
  };
}

/** One draft-07 schema as an OpenAPI 3.0 Schema Object; `base` is the `$id` its local `$ref`s resolve against. */
export function toOpenApiSchema(catalog: Catalog, operation: Operation, schema: unknown, base: string, depth = 0): JsonSchema {
  if (typeof schema === "boolean") return schema ? {} : { not: {} };
  if (!schema || typeof schema !== "object") return {};
  if (depth > MAX_DEPTH) throw new Error(`Failed to export "${operation.meta.name}" to OpenAPI: $refs nest deeper than ${MAX_DEPTH} (a cycle?).`);
  const s = schema as JsonSchema;
  const convert = (child: unknown) => toOpenApiSchema(catalog, operation, child, base, depth + 1);

  if (typeof s.$ref === "string") {
    const absolute = s.$ref.startsWith("#") ? base + s.$ref : s.$ref;
    const target = catalog.ajv.getSchema(absolute)?.schema;
    if (!target) throw new Error(`Failed to export "${operation.meta.name}" to OpenAPI: cannot resolve "${s.$ref}".`);
    return toOpenApiSchema(catalog, operation, target, absolute.split("#")[0]!, depth + 1);
  }

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(s)) {
    if (KEPT.has(key)) out[key] = value;
  }
  if ("const" in s) out.enum = [s.const];
  if (Array.isArray(s.examples) && s.examples.length > 0) out.example = s.examples[0];
  if (typeof s.exclusiveMinimum === "number") Object.assign(out, { minimum: s.exclusiveMinimum, exclusiveMinimum: true });
  if (typeof s.exclusiveMaximum === "number") Object.assign(out, { maximum: s.exclusiveMaximum, exclusiveMaximum: true });
  if (s.properties && typeof s.properties === "object") {
    out.properties = Object.fromEntries(Object.entries(s.properties as Record<string, unknown>).map(([name, child]) => [name, convert(child)]));
  }
  if (s.additionalProperties !== undefined) out.additionalProperties = typeof s.additionalProperties === "boolean" ? s.additionalProperties : convert(s.additionalProperties);
  if (Array.isArray(s.items)) out.items = { anyOf: s.items.map(convert) };
  else if (s.items !== undefined) out.items = convert(s.items);
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    if (Array.isArray(s[key])) out[key] = (s[key] as unknown[]).map(convert);
  }
  if (s.not !== undefined) out.not = convert(s.not);
  const typed = toOpenApiType(s.type);
  if (typed.anyOf && out.anyOf) {
    out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), { anyOf: typed.anyOf }];
    delete typed.anyOf;
  }
  Object.assign(out, typed);
  if (out.type === "array" && out.items === undefined) out.items = {};
  return out;
}

/** `type` in OpenAPI 3.0 is one name: `["string","null"]` → `type: string, nullable: true`; wider unions → `anyOf`. */
function toOpenApiType(type: unknown): JsonSchema {
  if (type === undefined) return {};
  const types = (Array.isArray(type) ? type : [type]) as string[];
  const nullable = types.includes("null");
  const rest = types.filter((t) => t !== "null");
  const nullPart = nullable ? { nullable: true } : {};
  if (rest.length === 0) return { nullable: true, enum: [null] };
  if (rest.length === 1) return { type: rest[0], ...nullPart };
  return { anyOf: rest.map((t) => ({ type: t })), ...nullPart };
}
