import type { Operation } from "../schemas/catalog.js";
import { toDataPath } from "../schemas/operation.js";
import type { Violation } from "../schemas/violations.js";

/** Rules about the answer as a whole (unreadable, in another format than asked, an error envelope, an HTTP error): never a difference of shape. */
const WHOLE_ANSWER_RULES = new Set(["parse", "format", "api-error", "http-status"]);

/** True when a dotted path is `at` itself or lies below it (`data`, `data.orderId`, `data[0]`); every path lies below ``. */
function isWithin(path: string, at: string): boolean {
  return at === "" || path === at || path.startsWith(`${at}.`) || path.startsWith(`${at}[`);
}

/**
 * An answer's violations, split by where they lie: inside the Data of an operation whose answer is
 * assumed (`x-assumed`: differences from a shape the API does not document, reported as assumed)
 * and everywhere else (judged as usual: the envelope, an error answer, an unreadable body).
 */
export function splitAssumed(operation: Operation, violations: readonly Violation[]): { judged: Violation[]; assumed: Violation[] } {
  if (!operation.assumed) return { judged: [...violations], assumed: [] };
  const at = toDataPath(operation.meta);
  const judged: Violation[] = [];
  const assumed: Violation[] = [];
  for (const v of violations) (!WHOLE_ANSWER_RULES.has(v.rule) && isWithin(v.path, at) ? assumed : judged).push(v);
  return { judged, assumed };
}
