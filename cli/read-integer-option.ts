import { InputError } from "./command-io.js";

/** A whole, non-negative number given to `flag`, or the fallback when it is not given. */
export function readIntegerOption<T extends number | undefined>(value: string | undefined, flag: string, fallback: T): number | T {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0) throw new InputError(`${flag} must be a whole number, not "${value}".`);
  return n;
}
