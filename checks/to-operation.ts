import type { Catalog, Operation } from "../schemas/catalog.js";

/** The catalog's operation for a name or alias (or the operation itself); throws for an unknown name. */
export function toOperation(catalog: Catalog, operation: string | Operation): Operation {
  if (typeof operation !== "string") return operation;
  const found = catalog.find(operation);
  if (found) return found;
  const near = catalog.operations
    .map((op) => op.meta.name)
    .filter((name) => name.includes(operation) || operation.includes(name))
    .slice(0, 3);
  const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(", ")}?` : "";
  throw new Error(`Unknown operation "${operation}".${hint} Run \`pandapon-mock operations\` to list them.`);
}

/** The operation's schema file name without `.json`: names its examples folder and its request fixture. */
export function toOperationStem(operation: Operation): string {
  return operation.file.replace(/^.*[\\/]/, "").replace(/\.json$/, "");
}
