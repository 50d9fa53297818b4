import { writeJsonText } from "./read-json-text.js";

/** How lifecycle expressions compare entity values: integers equal whatever their form (number or bigint), the rest by JSON. */

function isNumeric(value: unknown): value is number | bigint {
  return typeof value === "number" || typeof value === "bigint";
}

export function isSet(value: unknown): boolean {
  return value !== null && value !== undefined;
}

/** An expression's truth: everything but null, undefined, false, 0 and "". */
export function isTruthy(value: unknown): boolean {
  return isSet(value) && value !== false && value !== 0 && value !== 0n && value !== "";
}

export function isEqual(a: unknown, b: unknown): boolean {
  if (!isSet(a) || !isSet(b)) return !isSet(a) && !isSet(b);
  // `==` between a number and a bigint compares their values exactly.
  if (isNumeric(a) && isNumeric(b)) return a == b;
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  return writeJsonText(a) === writeJsonText(b);
}

/** Negative, zero or positive for two numbers or two texts; undefined when either is unset or they are not alike. */
export function compareValues(a: unknown, b: unknown): number | undefined {
  if (isNumeric(a) && isNumeric(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** A value as text: "" for null, digits for numbers and bigints (exact), JSON for objects. */
export function toText(value: unknown): string {
  if (!isSet(value)) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return writeJsonText(value);
  return String(value);
}

/** A plain number of a number or bigint (amounts), 0 for null, undefined for anything else. */
export function toAmount(value: unknown): number | undefined {
  if (!isSet(value)) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}
