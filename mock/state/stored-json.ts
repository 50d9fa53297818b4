import { MAX_JSON_DEPTH } from "../read-json.js";

/**
 * How the store writes values: JSON text in which a bigint (an integer beyond ±(2^53−1)) is the
 * string "\u0000bigint:<digits>" — the digits exact, the text still JSON, and read back with the
 * native JSON.parse plus a walk only when such a string is there (several times faster than a
 * lossless parser in JavaScript, and gets of stored entities are on the mock's hot path).
 *
 * A value the store accepts comes back deep-equal, which is why it refuses what would not: NaN and
 * ±Infinity, a number that is an integer beyond 2^53 (its digits are already lost: give it as
 * bigint), a bigint within ±(2^53−1) (keep such integers numbers), undefined in an array,
 * functions, symbols, class instances (Date, Map…), nesting deeper than MAX_JSON_DEPTH, and a
 * string that itself starts with the bigint mark. An object member that is undefined is left out,
 * as JSON.stringify does; -0 comes back 0.
 */
export type StoredJson = { ok: true; text: string } | { ok: false; message: string };

const MARK = "\u0000bigint:";
/** The mark as JSON.stringify writes it, at the start of a string. */
const MARK_IN_TEXT = '"\\u0000bigint:';
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const markBigInt = (_key: string, value: unknown): unknown => (typeof value === "bigint" ? MARK + value.toString() : value);

export function toStoredJson(value: unknown, what: string): StoredJson {
  const found = { bigint: false };
  const problem = findUnstorable(value, what, 0, found);
  if (problem !== undefined) return { ok: false, message: problem };
  return { ok: true, text: found.bigint ? JSON.stringify(value, markBigInt) : JSON.stringify(value) };
}

function findUnstorable(value: unknown, path: string, depth: number, found: { bigint: boolean }): string | undefined {
  switch (typeof value) {
    case "boolean":
      return undefined;
    case "string":
      return value.charCodeAt(0) === 0 && value.startsWith(MARK) ? `${path} starts with the text the store marks bigints with` : undefined;
    case "number":
      if (!Number.isFinite(value)) return `${path} is ${value}, which JSON cannot hold`;
      // Integers from 1e21 on are written in exponent form, and read back as the same number.
      if (Number.isInteger(value) && !Number.isSafeInteger(value) && Math.abs(value) < 1e21) {
        return `${path} is the number ${value}, an integer beyond 2^53 whose digits are already lost: give it as a bigint`;
      }
      return undefined;
    case "bigint":
      found.bigint = true;
      return value <= SAFE && value >= -SAFE ? `${path} is the bigint ${value}, within ±(2^53−1): give it as a number` : undefined;
    case "object":
      return value === null ? undefined : findUnstorableMember(value, path, depth + 1, found);
    default:
      return `${path} is a ${typeof value}, not a JSON value`;
  }
}

function findUnstorableMember(value: object, path: string, depth: number, found: { bigint: boolean }): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const problem = item === undefined ? `${path}[${i}] is undefined` : findUnstorable(item, `${path}[${i}]`, depth, found);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return `${path} is a ${value.constructor?.name ?? "class instance"}, not a plain object`;
  }
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    const problem = findUnstorable(member, `${path}.${key}`, depth, found);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

const toBigIntOrSame = (value: unknown): unknown =>
  typeof value === "string" && value.charCodeAt(0) === 0 && value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value;

/** Turns every marked string in a freshly parsed value into its bigint, in place. */
function reviveBigInts(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object") reviveBigInts(item);
      else value[i] = toBigIntOrSame(item);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const member = record[key];
    if (typeof member === "object") reviveBigInts(member);
    else if (typeof member === "string" && member.charCodeAt(0) === 0) {
      // defineProperty: a member named "__proto__" is an own property here, not the prototype.
      Object.defineProperty(record, key, { value: toBigIntOrSame(member), enumerable: true, writable: true, configurable: true });
    }
  }
}

/** Reads text written by toStoredJson back into the value it was made from. */
export function parseStoredJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!text.includes(MARK_IN_TEXT)) return value;
  if (typeof value === "string") return toBigIntOrSame(value);
  reviveBigInts(value);
  return value;
}
