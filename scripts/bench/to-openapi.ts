import type { Catalog, Operation } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";

/** JSON Schema keywords OpenAPI 3.0's Schema Object keeps as they are. */
const KEPT = new Set([
  "title", "description", "format", "default", "multipleOf", "maximum", "minimum", "maxLength", "minLength",
  "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum",
]);
const MAX_DEPTH = 64;

/**
 * An OpenAPI 3.0 document for PandaPon operations, from the catalog's schemas (draft-07):
 * $refs inlined, union types → `nullable` (or `anyOf`), `const` → `enum`, `examples` → `example`,
 * x-* and other keywords OpenAPI 3.0 lacks dropped.
 */
export function toOpenApi(catalog: Catalog, names: string[]): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  for (const name of names) {
    const operation = catalog.find(name);
    if (!operation?.meta.path) throw new Error(`Failed to export "${name}" to OpenAPI: it is not a PandaPon operation with a path.`);
    const entry: JsonSchema = {
      summary: operation.meta.summary,
      operationId: operation.meta.name.replace(/\W+/g, "_").replace(/^_/, ""),
      responses: {
        "200": { description: "成功", content: { "application/json": { schema: toOpenApiSchema(catalog, operation, operation.response, operation.id) } } },
      },
    };
    if (operation.request && operation.meta.requestIn === "body") {
      entry.requestBody = { required: true, content: { "application/json": { schema: toOpenApiSchema(catalog, operation, operation.request, operation.id) } } };
    }
    paths[operation.meta.path] = { [(operation.meta.method ?? "POST").toLowerCase()]: entry };
  }
  return { openapi: "3.0.3", info: { title: "PandaPon OpenAPI (from pandapon-mock schemas)", version: "1.0.0" }, paths };
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
