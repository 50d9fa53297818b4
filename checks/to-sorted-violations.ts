import type { Violation } from "../schemas/violations.js";

/** Failures before warnings, otherwise in the order found; one entry per path, rule and message. */
export function toSortedViolations(violations: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  const unique = violations.filter((v) => {
    const key = `${v.path}|${v.rule}|${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return [...unique.filter((v) => v.severity === "error"), ...unique.filter((v) => v.severity !== "error")];
}
