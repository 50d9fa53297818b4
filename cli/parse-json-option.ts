import { parse as parseLossless } from "lossless-json";
import { InputError } from "./command-io.js";

/** Parses an option's JSON keeping every digit of big numbers (19-digit ids), for values that are re-serialised. */
export function parseJsonOption(text: string, flag: string): unknown {
  try {
    return parseLossless(text);
  } catch (error) {
    throw new InputError(`Failed to read ${flag}: it is not JSON (${(error as Error).message}).`, { cause: error });
  }
}
