import type { ErrorObject } from "ajv";
import { toCappedText } from "../protocol/capped-text.js";

/** One way a payload breaks its contract. Data, not an exception. */
export interface Violation {
  /** Where, as a dotted path from the payload root, e.g. `data.refundId` or `vouchers[10]`. */
  path: string;
  /** The schema keyword that failed (`required`, `type`, `enum`, …) or a checker rule (`drift`, `precision`). */
  rule: string;
  message: string;
  severity: "error" | "warning";
}

/** `/a/0/b` → `a[0].b` */
export function toDottedPath(pointer: string): string {
  if (pointer === "") return "";
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function joinPath(parent: string, child: string): string {
  return parent ? `${parent}.${child}` : child;
}

/** Converts ajv errors to violations, naming the missing or extra member itself in `path`. */
export function toViolations(errors: readonly ErrorObject[] | null | undefined): Violation[] {
  if (!errors) return [];
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const e of errors) {
    const at = toDottedPath(e.instancePath);
    let path = at;
    let message = e.message ?? "is invalid";
    if (e.keyword === "required") {
      path = joinPath(at, String(e.params.missingProperty));
      message = "is required";
    } else if (e.keyword === "additionalProperties") {
      path = joinPath(at, String(e.params.additionalProperty));
      message = "is not a documented member";
    } else if (e.keyword === "enum") {
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (e.keyword === "type") {
      message = `must be ${String(e.params.type).replace(/,/g, " or ")}`;
    }
    const key = `${path}|${e.keyword}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, rule: e.keyword, message, severity: "error" });
  }
  return out;
}

/** `refundId is required; vouchers must NOT have more than 10 items` (paths, which come from the payload, capped). */
export function describeViolations(violations: readonly Violation[], limit = 5): string {
  const shown = violations.slice(0, limit).map((v) => `${toCappedText(v.path) || "(root)"} ${v.message}`);
  const more = violations.length > limit ? `; and ${violations.length - limit} more` : "";
  return shown.join("; ") + more;
}
