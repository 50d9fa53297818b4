import { isLosslessNumber } from "lossless-json";
import type { Violation } from "../schemas/violations.js";
import { toUnsafeIntegerDigits } from "../protocol/parse-lossless.js";
import type { SchemaCursor } from "../schemas/schema-cursor.js";
import { toChildPath } from "./to-child-path.js";

function toNote(cursor: SchemaCursor | undefined): string {
  if (!cursor) return "";
  if (cursor.types.has("integer") || cursor.types.has("number")) {
    return " The schema types it as a number, so JavaScript clients must parse the body losslessly (or receive it as a string).";
  }
  if (cursor.types.has("string")) return " The schema types it as a string: the API should send it quoted.";
  return "";
}

function toRounding(digits: string): string {
  const read = String(Number(digits));
  return read === digits
    ? "JSON.parse in JavaScript keeps this one only by chance (most neighbouring integers are rounded)"
    : `JSON.parse in JavaScript reads it as ${read}`;
}

/**
 * Every integer beyond ±(2^53−1) in a payload: a warning (rule `precision`) with its path and exact
 * digits, because `JSON.parse` in JavaScript silently rounds it. Give a lossless tree (see
 * `parseLossless`) to see the digits as sent; in an already parsed value the digits are gone, and
 * the warning says so. The schema (cursor) is looked up only for the values found, to say how it types them.
 */
export function findPrecisionHazards(value: unknown, cursor?: SchemaCursor, path = ""): Violation[] {
  const found: Violation[] = [];
  walk(value, [], found, cursor, path);
  return found;
}

/** Walks the value with the keys from the root on a stack; a hazard's cursor is found from those keys. */
function walk(value: unknown, keys: (string | number)[], found: Violation[], root: SchemaCursor | undefined, rootPath: string): void {
  const digits = toUnsafeIntegerDigits(value);
  if (digits !== undefined || typeof value === "number") {
    const hazard = toHazard(value, digits, () => keys.reduce<SchemaCursor | undefined>((c, k) => (typeof k === "number" ? c?.item(k) : c?.property(k)), root));
    if (hazard) found.push({ path: keys.reduce<string>((p, k) => toChildPath(p, k), rootPath), rule: "precision", severity: "warning", message: hazard });
    return;
  }
  if (isLosslessNumber(value) || typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!mayHoldHazard(value[i])) continue;
      keys.push(i);
      walk(value[i], keys, found, root, rootPath);
      keys.pop();
    }
    return;
  }
  for (const key in value) {
    const member = (value as Record<string, unknown>)[key];
    if (!mayHoldHazard(member)) continue;
    keys.push(key);
    walk(member, keys, found, root, rootPath);
    keys.pop();
  }
}

/** Numbers, big integers and what holds values: the rest (strings, booleans, null) needs no look. */
function mayHoldHazard(value: unknown): boolean {
  return typeof value === "number" || typeof value === "bigint" || (typeof value === "object" && value !== null);
}

/** The warning's message for one number, or undefined when it is exact. */
function toHazard(value: unknown, digits: string | undefined, cursor: () => SchemaCursor | undefined): string | undefined {
  if (digits !== undefined) return `${digits} (${digits.replace(/^-/, "").length} digits) is beyond ±2^53−1: ${toRounding(digits)}.${toNote(cursor())}`;
  const n = value as number;
  if (!Number.isInteger(n) || Number.isSafeInteger(n)) return undefined;
  return `${n} is beyond ±2^53−1 and was already rounded when it was parsed: pass the raw body to see its exact digits.${toNote(cursor())}`;
}
