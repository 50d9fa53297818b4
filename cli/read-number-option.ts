import { InputError } from "./command-io.js";

/** A non-negative number given to `flag` (seconds may have a fraction), or the fallback when it is not given. */
export function readNumberOption<T extends number | undefined>(value: string | undefined, flag: string, fallback: T): number | T {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InputError(`${flag} must be a non-negative number, not "${value}".`);
  return n;
}
