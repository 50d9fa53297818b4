import { parse, parseNumberAndBigInt } from "lossless-json";
import { writeKeptJson } from "../../protocol/json-wire.js";

/** A number of 16 digits or more (one starts after `:`, `,` or `[`): it may be beyond 2^53, which JSON.parse would round. */
const LONG_NUMBER = /[:,[]\s*-?\d{16}/;

/** A value from JSON text, integers beyond 2^53 as bigint (exact); undefined when it is not JSON text. */
export function readJsonText(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return LONG_NUMBER.test(text) ? parse(text, null, parseNumberAndBigInt) : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** JSON text of a value, bigints as exact integer literals (the value is left as it is). */
export function writeJsonText(value: unknown): string {
  return writeKeptJson(value);
}
