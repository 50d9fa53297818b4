import type { Catalog } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";

/** A schema and the file it sits in (for resolving the `$ref`s below it). */
export interface PlacedSchema {
  schema: JsonSchema;
  base: string;
}

/** The members of an object schema, those of its `allOf` parts included. */
function toMembers(catalog: Catalog, placed: PlacedSchema): Record<string, JsonSchema> {
  const { schema, base } = catalog.resolveRef(placed.schema, placed.base);
  const parts = Array.isArray(schema.allOf) ? (schema.allOf as JsonSchema[]) : [];
  return Object.assign({}, ...parts.map((part) => toMembers(catalog, { schema: part, base })), schema.properties ?? {}) as Record<string, JsonSchema>;
}

/** The schema of a member (a dotted path) below an object schema, resolved; undefined when it has no such member. */
export function findFieldSchema(catalog: Catalog, root: PlacedSchema, path: string): PlacedSchema | undefined {
  let current: PlacedSchema | undefined = catalog.resolveRef(root.schema, root.base);
  for (const segment of path.split(".")) {
    const member: JsonSchema | undefined = current ? toMembers(catalog, current)[segment] : undefined;
    current = member ? catalog.resolveRef(member, current!.base) : undefined;
  }
  return current;
}
