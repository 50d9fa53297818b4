import type { JsonSchema } from "./operation.js";

/** What kind of JSON value the schema wants, so generators can return the right type. */
export type Kind = "string" | "integer" | "number" | "boolean" | "object" | "array" | "null";

/**
 * The one kind of value a (resolved) schema stands for: its first type other than null (null
 * when that is all it allows); untyped, an object when it has properties, an array when it has
 * items, else a string. The generator picks values by it; the TOP gateway reads a parameter as
 * JSON text when it is an object or array.
 */
export function primaryKind(schema: JsonSchema): Kind {
  const types = Array.isArray(schema.type) ? (schema.type as Kind[]) : schema.type ? [schema.type as Kind] : [];
  const first = types.find((t) => t !== "null");
  if (first) return first;
  if (types.includes("null")) return "null";
  if (schema.properties) return "object";
  if (schema.items) return "array";
  return "string";
}
