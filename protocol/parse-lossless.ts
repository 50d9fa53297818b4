import { isLosslessNumber, parse } from "lossless-json";
import { toExactNumber } from "./to-exact-number.js";

/** A parse outcome: the value, or the problem as data. */
export type Parsed<T = unknown> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses JSON text without losing a digit: every number becomes a `LosslessNumber` holding its
 * literal text, so a 19-digit id survives and can be reported, converted or sent back as written.
 */
export function parseLossless(text: string): Parsed {
  try {
    return { ok: true, value: parse(text.replace(/^\uFEFF/, "")) };
  } catch (error) {
    return { ok: false, message: `is not valid JSON: ${(error as Error).message}` };
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The exact digits of an integer literal beyond ±(2^53−1), or undefined for anything else. */
export function toUnsafeIntegerDigits(value: unknown): string | undefined {
  let digits: string;
  if (isLosslessNumber(value)) digits = value.value;
  else if (typeof value === "bigint") digits = value.toString();
  else return undefined;
  // Up to 15 digits is always within ±(2^53−1) (16 digits): most numbers stop here, without a BigInt.
  if (digits.length <= (digits.charCodeAt(0) === 45 ? 16 : 15) || !/^-?\d+$/.test(digits)) return undefined;
  const big = BigInt(digits);
  return big > MAX_SAFE || big < -MAX_SAFE ? digits : undefined;
}

/**
 * How integers beyond ±(2^53−1) are represented after conversion:
 * `string` (exact digits, JSON-safe), `bigint` (exact, not JSON-safe) or `number` (rounded, the
 * shape `JSON.parse` gives; used for schema validation, where only the type matters).
 */
export type BigIntegers = "string" | "bigint" | "number";

/** Turns a lossless tree into plain JavaScript: safe numbers as numbers, big integers as asked. */
export function toPlainValue(value: unknown, bigIntegers: BigIntegers = "number"): unknown {
  if (isLosslessNumber(value) || typeof value === "bigint") {
    const digits = toUnsafeIntegerDigits(value);
    if (digits === undefined) return Number(String(value));
    return bigIntegers === "string" ? digits : bigIntegers === "bigint" ? BigInt(digits) : Number(digits);
  }
  if (Array.isArray(value)) return value.map((item) => toPlainValue(item, bigIntegers));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const member = toPlainValue((value as Record<string, unknown>)[key], bigIntegers);
      // A member named __proto__ stays a member (an assignment would set the prototype).
      if (key === "__proto__") Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
      else out[key] = member;
    }
    return out;
  }
  return value;
}

/** An integer literal of 16 or more digits where a JSON number can start: the only numbers JSON.parse may round (2^53 has 16 digits). */
const LONG_INTEGER = /(?:^|[:[,])\s*-?\d{16}/;
/** Every string token of a JSON text, in order, and whether a colon follows it (a member name). */
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

function countMembers(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value) n += countMembers(item);
    return n;
  }
  for (const key in value) n += 1 + countMembers((value as Record<string, unknown>)[key]);
  return n;
}

function countNames(text: string): number {
  let n = 0;
  for (const match of text.matchAll(STRING_TOKEN)) if (match[1] !== undefined) n++;
  return n;
}

/**
 * The text read by JSON.parse when that reads it exactly as parseLossless would — valid JSON, no
 * integer literal of 16 digits or more (a run of digits inside a string is taken for one, to be
 * safe), no member name twice in an object (parseLossless refuses those) — else undefined: parse it
 * losslessly. Several times faster than the lossless parse, for the many documents that need none.
 */
export function parseWhenExact(text: string): unknown {
  if (LONG_INTEGER.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return undefined;
  }
  return countMembers(value) === countNames(text) ? value : undefined;
}

/**
 * Turns a lossless tree into the values the mock validates: every number as `toExactNumber` reads
 * it (a double where it is exact, a bigint for a big integer, an InexactNumber for a fraction a
 * double loses), for `Operation.checkRequest(value, { exactNumbers: true })`.
 */
export function toExactValue(value: unknown): unknown {
  if (isLosslessNumber(value)) return toExactNumber(value.value);
  if (Array.isArray(value)) return value.map(toExactValue);
  if (typeof value === "object" && value !== null && typeof value !== "bigint") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: toExactValue(member), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
