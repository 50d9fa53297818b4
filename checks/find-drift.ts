import { isLosslessNumber } from "lossless-json";
import type { Violation } from "../schemas/violations.js";
import type { SchemaCursor } from "../schemas/schema-cursor.js";
import { toChildPath } from "./to-child-path.js";

/** True when the schema allows this kind of value here (or says nothing), so walking below makes sense. */
function isExpectedKind(cursor: SchemaCursor, kind: string): boolean {
  return cursor.types.size === 0 || cursor.types.has(kind);
}

function toLoose(name: string): string {
  return name.toLowerCase().replace(/[_\-]/g, "");
}

function toEditDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** A documented member missing from the object whose name is close to `name` (a likely rename). */
function findRenamed(name: string, cursor: SchemaCursor, present: ReadonlySet<string>): string | undefined {
  const candidates = cursor.propertyNames.filter((p) => !present.has(p));
  return (
    candidates.find((p) => toLoose(p) === toLoose(name)) ??
    (name.length >= 4 ? candidates.find((p) => toEditDistance(p.toLowerCase(), name.toLowerCase()) <= 2) : undefined) ??
    (name.length >= 6 ? candidates.find((p) => p.length >= 6 && (p.startsWith(name) || name.startsWith(p))) : undefined)
  );
}

/**
 * Members present in the payload that the schema does not document, as warnings (rule `drift`):
 * a new field in the real API is noticed, not ignored. Where the schema is closed
 * (`additionalProperties: false`) ajv already reports them as errors, so they are skipped here.
 */
export function findDrift(value: unknown, cursor: SchemaCursor | undefined, path = ""): Violation[] {
  if (!cursor || typeof value !== "object" || value === null || isLosslessNumber(value)) return [];
  if (Array.isArray(value)) {
    if (!isExpectedKind(cursor, "array")) return [];
    const out: Violation[] = [];
    value.forEach((item, i) => {
      if (typeof item === "object" && item !== null) out.push(...findDrift(item, cursor.item(i), toChildPath(path, i)));
    });
    return out;
  }
  if (!isExpectedKind(cursor, "object")) return [];
  const out: Violation[] = [];
  let present: Set<string> | undefined;
  for (const [key, member] of Object.entries(value)) {
    const child = cursor.property(key);
    if (child) {
      // Only objects and lists hold members: a leaf needs no path and no walk.
      if (typeof member === "object" && member !== null) out.push(...findDrift(member, child, toChildPath(path, key)));
      continue;
    }
    if (cursor.isClosed) continue;
    const renamed = findRenamed(key, cursor, (present ??= new Set(Object.keys(value))));
    out.push({
      path: toChildPath(path, key),
      rule: "drift",
      severity: "warning",
      message: renamed
        ? `is not a documented member (a rename of "${renamed}", which is missing?)`
        : "is not a documented member (new in the API, or missing from the schema)",
    });
  }
  return out;
}
