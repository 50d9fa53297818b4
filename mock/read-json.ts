import { parse } from "lossless-json";
import { toExactNumber } from "../protocol/to-exact-number.js";

/** Deepest nesting accepted in a request's JSON: far beyond any documented payload, far below a stack limit. */
export const MAX_JSON_DEPTH = 64;

/**
 * `exact`: the value may hold bigint (integers beyond ±(2^53−1)) and InexactNumber (fractions a
 * double loses, protocol/to-exact-number.ts), which validation must be told about.
 */
export type JsonReading = { ok: true; value: unknown; exact: boolean } | { ok: false; reason: string };

/**
 * A number token (after `:`, `,`, `[` or at the start, so digits inside strings rarely match) of 16
 * digits or more, or with an exponent: only such a number can read differently as a double than
 * as written. With at most 15 digits and no exponent, the double keeps an integer exact and a
 * fraction a fraction (its error, under 10^15 · 2^−53 of a unit of the last digit, is too small to
 * reach an integer), which is what the property test in test/read-json.test.ts checks.
 */
const MAY_LOSE_DIGITS = /(?:^|[:,[])[ \t\n\r]*-?(?:\d{16}|[\d.]{17}|[\d.]+[eE])/;

function isTooDeep(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Object.values(node as object)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The same text read number by number from its digits (duplicate keys: the last wins, as with JSON.parse). */
export function readJsonExactly(text: string): unknown {
  return parse(text, undefined, { parseNumber: toExactNumber, onDuplicateKey: ({ newValue }) => newValue });
}

/**
 * Parses request JSON, refusing nesting deeper than MAX_JSON_DEPTH (checked without recursion).
 * Numbers keep what the text says: JSON.parse reads the text (the common case: no number it could
 * get wrong), or, when a long number or an exponent appears, readJsonExactly reads it again (after
 * JSON.parse has checked the syntax and the depth, so its recursion stays shallow).
 */
export function readJson(text: string): JsonReading {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: (error as Error).message.slice(0, 200) };
  }
  // Each level of nesting takes two characters at least ("[" and "]"): a short text cannot be too deep.
  if (text.length > 2 * MAX_JSON_DEPTH && value !== null && typeof value === "object" && isTooDeep(value, MAX_JSON_DEPTH)) {
    return { ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  if (!MAY_LOSE_DIGITS.test(text)) return { ok: true, value, exact: false };
  try {
    return { ok: true, value: readJsonExactly(text), exact: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.slice(0, 200) };
  }
}
