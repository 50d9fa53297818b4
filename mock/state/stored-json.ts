import { isInteger, parse } from "lossless-json";
import { toJsonText } from "../../protocol/json-wire.js";
import { MAX_JSON_DEPTH } from "../read-json.js";

/**
 * How the store writes values: plain JSON text, integers beyond ±(2^53−1) as exact integer literals
 * (they are bigint in memory). Read back, such a literal is a bigint again and every other number
 * a number, so a value the store accepts comes back deep-equal — which is why it refuses what
 * would not: NaN and ±Infinity, a number that is an integer beyond 2^53 (its digits are already
 * lost: give it as bigint), a bigint within ±(2^53−1) (it would come back a number), undefined in
 * an array, functions, symbols, class instances (Date, Map…) and nesting deeper than MAX_JSON_DEPTH.
 * An object member that is undefined is left out, as JSON.stringify does; -0 comes back 0.
 */
export type StoredJson = { ok: true; text: string } | { ok: false; message: string };

export function toStoredJson(value: unknown, what: string): StoredJson {
  const problem = findUnstorable(value, what, 0);
  return problem === undefined ? { ok: true, text: toJsonText(value) } : { ok: false, message: problem };
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Integers this large are written by JSON.stringify in exponent form, and so read back as numbers. */
const EXPONENT_FORM = 1e21;

function findUnstorable(value: unknown, path: string, depth: number): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      if (!Number.isFinite(value)) return `${path} is ${value}, which JSON cannot hold`;
      if (Number.isInteger(value) && !Number.isSafeInteger(value) && Math.abs(value) < EXPONENT_FORM) {
        return `${path} is the number ${value}, an integer beyond 2^53 whose digits are already lost: give it as a bigint`;
      }
      return undefined;
    case "bigint":
      return value <= SAFE && value >= -SAFE ? `${path} is the bigint ${value}, within ±(2^53−1): give it as a number` : undefined;
    case "object":
      return value === null ? undefined : findUnstorableMember(value, path, depth + 1);
    default:
      return `${path} is a ${typeof value}, not a JSON value`;
  }
}

function findUnstorableMember(value: object, path: string, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const problem = item === undefined ? `${path}[${i}] is undefined` : findUnstorable(item, `${path}[${i}]`, depth);
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
    const problem = findUnstorable(member, `${path}.${key}`, depth);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * An integer literal of 16 digits or more at the start or right after ":", "," or "[" — where
 * JSON.stringify puts numbers — may be beyond 2^53; without one, JSON.parse reads the text exactly
 * (and several times faster than the lossless parser).
 */
const MAYBE_BIG_INTEGER = /(?:^|[:,[])-?\d{16}/;

function toStoredNumber(text: string): number | bigint {
  if (isInteger(text)) {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) return BigInt(text);
    return value;
  }
  return Number(text);
}

/** Reads text written by toStoredJson back into the value it was made from. */
export function parseStoredJson(text: string): unknown {
  return MAYBE_BIG_INTEGER.test(text) ? parse(text, null, toStoredNumber) : JSON.parse(text);
}
