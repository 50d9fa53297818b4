import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import keywords from "../../schemas/common/keywords.json" with { type: "json" };
import type { JsonSchema } from "../../schemas/operation.js";
import { createAjv } from "../../schemas/schema-store.js";
import { SCHEMA_DIR } from "../../schemas/catalog.js";

let validate: ValidateFunction | undefined;

/** Problems of a lifecycle file against the format (schemas/lifecycles/lifecycle.schema.json), one line each. */
export function checkLifecycleFormat(json: unknown): string[] {
  if (!validate) {
    const ajv = createAjv();
    ajv.addSchema(keywords as JsonSchema);
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, "lifecycles", "lifecycle.schema.json"), "utf8")) as JsonSchema);
  }
  if (validate(json)) return [];
  // An expression is one of many shapes and ajv reports each shape it tried: the deepest paths say
  // most, and a path no shape fits is reported once.
  const errors = validate.errors ?? [];
  const depth = (path: string) => path.split("/").length;
  const deepest = Math.max(...errors.map((e) => depth(e.instancePath)));
  const messages = errors
    .filter((e) => depth(e.instancePath) === deepest)
    .map((e) =>
      // Only an expression is tried as anyOf (value, list, operator) with oneOf (the operators) inside.
      ["anyOf", "oneOf"].every((keyword) => errors.some((x) => x.instancePath === e.instancePath && x.keyword === keyword))
        ? `${e.instancePath} is not an expression: a value, a list, or an object with one operator and its options (see lifecycle.schema.json)`
        : `${e.instancePath || "/"} ${e.message ?? "is invalid"}`,
    );
  return [...new Set(messages)];
}
