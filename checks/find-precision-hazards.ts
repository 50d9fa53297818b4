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
 * the warning says so.
 */
export function findPrecisionHazards(value: unknown, cursor?: SchemaCursor, path = ""): Violation[] {
  const digits = toUnsafeIntegerDigits(value);
  if (digits !== undefined) {
    return [
      {
        path,
        rule: "precision",
        severity: "warning",
        message: `${digits} (${digits.replace(/^-/, "").length} digits) is beyond ±2^53−1: ${toRounding(digits)}.${toNote(cursor)}`,
      },
    ];
  }
  if (typeof value === "number") {
    if (!Number.isInteger(value) || Number.isSafeInteger(value)) return [];
    return [
      {
        path,
        rule: "precision",
        severity: "warning",
        message: `${value} is beyond ±2^53−1 and was already rounded when it was parsed: pass the raw body to see its exact digits.${toNote(cursor)}`,
      },
    ];
  }
  if (isLosslessNumber(value) || typeof value !== "object" || value === null) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => findPrecisionHazards(item, cursor?.item(i), toChildPath(path, i)));
  }
  return Object.entries(value).flatMap(([key, member]) =>
    findPrecisionHazards(member, cursor?.property(key), toChildPath(path, key)),
  );
}
