import type { JsonSchema } from "../../schemas/operation.js";
import type { ActionFile, LifecycleFile } from "./lifecycle-file.js";

/** "*": an expression reads the whole input (an empty path, a template of the request). */
type Reads = Set<string>;

/** Adds the request members an expression reads (the first segment of each `input` path) to `reads`. */
function addInputReads(node: unknown, reads: Reads): void {
  if (Array.isArray(node)) {
    for (const item of node) addInputReads(item, reads);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const expression = node as Record<string, unknown>;
  if ("const" in expression) return;
  if ("input" in expression) reads.add(typeof expression.input === "string" && expression.input !== "" ? expression.input.split(".")[0]! : "*");
  if ("generate" in expression && JSON.stringify(expression.generate).includes("{request.")) reads.add("*");
  for (const value of Object.values(expression)) addInputReads(value, reads);
}

/**
 * The members of a born buyer's generated request that need not be generated: those no expression
 * taking the action reads (its own, the states' `set` and pushes, `always`), and those its birth
 * input sets whole without any birth input reading them. The others are generated as they are in
 * the whole request; leaving members out only changes the draws of the members after them.
 */
export function toBornLeaveOut(file: LifecycleFile, action: ActionFile, request: JsonSchema | undefined): string[] {
  const members = Object.keys((request?.properties ?? {}) as Record<string, unknown>);
  const { birth, ...taking } = action;
  const reads: Reads = new Set();
  addInputReads([taking, file.states, file.always ?? null], reads);
  const birthReads: Reads = new Set();
  addInputReads(Object.values(birth?.input ?? {}), birthReads);
  if (reads.has("*") || birthReads.has("*")) return [];
  const setWhole = new Set(Object.keys(birth?.input ?? {}).filter((path) => !path.includes(".")));
  const partlySet = new Set(Object.keys(birth?.input ?? {}).filter((path) => path.includes(".")).map((path) => path.split(".")[0]!));
  return members.filter((m) => !birthReads.has(m) && !partlySet.has(m) && (setWhole.has(m) || !reads.has(m)));
}
