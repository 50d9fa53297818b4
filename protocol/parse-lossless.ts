import { LosslessNumber, isLosslessNumber, parse } from "lossless-json";
import { toExactNumber } from "./to-exact-number.js";

/** A parse outcome: the value, or the problem as data. */
export type Parsed<T = unknown> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Deepest nesting of a document read from text: far beyond any answer of the APIs, far below
 * where the walks that follow a parse (toPlainValue, the schema checks, drift and precision
 * warnings, all recursive) run out of stack. A deeper document is refused as unreadable.
 */
export const MAX_DOCUMENT_DEPTH = 256;

/** Whether JSON text opens more than `max` arrays or objects inside each other (strings skipped). Linear, no recursion, valid JSON or not. */
export function isNestedDeeper(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: skip to its closing quote, over escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/**
 * Parses JSON text without losing a digit: every number becomes a `LosslessNumber` holding its
 * literal text, so a 19-digit id survives and can be reported, converted or sent back as written.
 * A document nested deeper than MAX_DOCUMENT_DEPTH is refused.
 */
export function parseLossless(text: string): Parsed {
  if (isNestedDeeper(text, MAX_DOCUMENT_DEPTH)) return { ok: false, message: `is nested deeper than ${MAX_DOCUMENT_DEPTH} levels` };
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

/** In order, every string token (with whether a colon follows it: a member name) and every run of 16 digits or more outside one (with what follows it). */
const TOKENS = /"(?:[^"\\]|\\.)*"(\s*:)?|-?\d{16,}([.eE]?)/g;
/** A key JavaScript orders before the others in an object (an array index), whatever the text's order. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/** What a walk of JSON.parse's tree found: members, and where a number is an integer beyond ±(2^53−1), in document order. */
interface Walk {
  members: number;
  unsafe: { holder: Record<string, unknown> | unknown[]; key: string | number }[];
  /** An object has a key JavaScript reorders: document order is lost. */
  reordered: boolean;
  /** Nested deeper than MAX_DOCUMENT_DEPTH: the walk stopped there. */
  tooDeep: boolean;
}

function walkParsed(value: unknown, walk: Walk, depth = 1): void {
  if (typeof value !== "object" || value === null) return;
  if (depth > MAX_DOCUMENT_DEPTH) {
    walk.tooDeep = true;
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "number" && Number.isInteger(item) && !Number.isSafeInteger(item)) walk.unsafe.push({ holder: value, key: i });
      else walkParsed(item, walk, depth + 1);
    }
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    walk.members++;
    const code = key.charCodeAt(0);
    if (code >= 48 && code <= 57 && INDEX_KEY.test(key)) walk.reordered = true;
    const member = object[key];
    if (typeof member === "number" && Number.isInteger(member) && !Number.isSafeInteger(member)) walk.unsafe.push({ holder: object, key });
    else walkParsed(member, walk, depth + 1);
  }
}

/**
 * The text read by JSON.parse, when that can be made to read it exactly as parseLossless does:
 * `plain` is the tree with every number a plain number (what toPlainValue of the lossless tree
 * gives); `toLossless()` then turns that same tree into the lossless one but for numbers within
 * ±(2^53−1), which stay plain (exact as doubles): each integer literal beyond becomes a
 * LosslessNumber of its digits, as written (the tree is no longer plain after). Undefined — parse
 * losslessly — when the text is not JSON, names a member twice in an object (parseLossless refuses
 * that), is not an object or a list, nests deeper than MAX_DOCUMENT_DEPTH (parseLossless refuses
 * that too), has an object whose keys JavaScript reorders, or has a number
 * whose digits the text does not show plainly (a long fraction, an exponent): then the big integers
 * of the tree and of the text might not pair up. Several times faster than the lossless parse.
 */
export function parseWhenExact(text: string): { plain: unknown; toLossless(): unknown } | undefined {
  const source = text.replace(/^\uFEFF/, "");
  let plain: unknown;
  try {
    plain = JSON.parse(source);
  } catch {
    return undefined;
  }
  // A document is an object or a list (a lone value is left to the lossless parse).
  if (typeof plain !== "object" || plain === null) return undefined;
  let names = 0;
  const literals: string[] = [];
  for (const match of source.matchAll(TOKENS)) {
    if (match[0].charCodeAt(0) === 34) {
      if (match[1] !== undefined) names++;
    } else if (match[2] !== "") return undefined;
    else if (toUnsafeIntegerDigits(new LosslessNumber(match[0])) !== undefined) literals.push(match[0]);
  }
  const walk: Walk = { members: 0, unsafe: [], reordered: false, tooDeep: false };
  walkParsed(plain, walk);
  if (walk.tooDeep || walk.members !== names || walk.reordered || walk.unsafe.length !== literals.length) return undefined;
  return {
    plain,
    toLossless() {
      walk.unsafe.forEach(({ holder, key }, i) => Object.defineProperty(holder, key, { value: new LosslessNumber(literals[i]!), enumerable: true, writable: true, configurable: true }));
      walk.unsafe.length = 0;
      return plain;
    },
  };
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
