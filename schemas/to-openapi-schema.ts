import type { Catalog, Operation } from "./catalog.js";
import type { JsonSchema } from "./operation.js";

/** JSON Schema keywords OpenAPI 3.0's Schema Object keeps as they are. */
const KEPT = new Set([
  "title", "description", "format", "default", "multipleOf", "maximum", "minimum", "maxLength", "minLength",
  "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum",
]);
const MAX_DEPTH = 64;

/**
 * One draft-07 schema as an OpenAPI 3.0 Schema Object: $refs inlined, union types → `nullable`
 * (or `anyOf` of nullable types), `const` → `enum`, `examples` → `example`, `x-assumed` kept as an
 * extension (its reason also in the description), other x-* and keywords OpenAPI 3.0 lacks dropped. `base` is the `$id` its local `$ref`s resolve against.
 */
export function toOpenApiSchema(catalog: Catalog, operation: Operation, schema: unknown, base: string, depth = 0): JsonSchema {
  if (typeof schema === "boolean") return schema ? {} : { not: {} };
  if (!schema || typeof schema !== "object") return {};
  if (depth > MAX_DEPTH) throw new Error(`Failed to export "${operation.meta.name}" to OpenAPI: $refs nest deeper than ${MAX_DEPTH} (a cycle?).`);
  const s = schema as JsonSchema;
  const convert = (child: unknown) => toOpenApiSchema(catalog, operation, child, base, depth + 1);

  if (typeof s.$ref === "string") {
    const absolute = s.$ref.startsWith("#") ? base + s.$ref : s.$ref;
    const target = catalog.getSchema(absolute);
    if (!target) throw new Error(`Failed to export "${operation.meta.name}" to OpenAPI: cannot resolve "${s.$ref}".`);
    return toOpenApiSchema(catalog, operation, target, absolute.split("#")[0]!, depth + 1);
  }

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(s)) {
    if (KEPT.has(key)) out[key] = value;
  }
  if (typeof s["x-assumed"] === "string") {
    // The one x-* keyword kept, as an OpenAPI extension: this shape is assumed, not documented.
    out["x-assumed"] = s["x-assumed"];
    out.description = `Assumed, not documented: ${s["x-assumed"]}${out.description ? ` ${String(out.description)}` : ""}`;
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
  if (isNullOnly(s.type)) out.description = out.description ? `${String(out.description)} (always null)` : "Always null.";
  if (out.type === "array" && out.items === undefined) out.items = {};
  return out;
}

/**
 * `type` in OpenAPI 3.0 is one name, and `nullable` needs it beside it: `["string","null"]` →
 * `type: string, nullable: true`; wider unions → `anyOf` of types, each nullable when null is allowed.
 */
function toOpenApiType(type: unknown): JsonSchema {
  if (type === undefined) return {};
  const types = (Array.isArray(type) ? type : [type]) as string[];
  const nullPart = types.includes("null") ? { nullable: true } : {};
  const rest = types.filter((t) => t !== "null");
  // OpenAPI 3.0 has no `null` type: a member typed null is a nullable type restricted to null (which type says nothing).
  if (rest.length === 0) return { type: "object", nullable: true, enum: [null] };
  if (rest.length === 1) return { type: rest[0], ...nullPart };
  return { anyOf: rest.map((t) => ({ type: t, ...nullPart })) };
}

function isNullOnly(type: unknown): boolean {
  return type === "null" || (Array.isArray(type) && type.length > 0 && type.every((t) => t === "null"));
}
