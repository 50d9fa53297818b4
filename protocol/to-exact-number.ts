/**
 * A JSON number whose fraction a double rounds away (2542285634920880794.5 reads as the integer
 * 2542285634920880640; 0.99999999999999999 as 1): it is no integer, whatever the double says.
 * Validation (schemas/validate-exact.ts) refuses it where the schema wants an integer.
 */
export class InexactNumber {
  constructor(
    /** The number as written. */
    readonly text: string,
  ) {}

  /** The nearest double: the value where the schema wants a number. */
  toNumber(): number {
    return Number(this.text);
  }
}

const PLAIN_INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The digits of a decimal's value when it is an integer (sign dropped), else undefined. */
function toIntegerDigits(text: string): string | undefined {
  const [, whole = "", fraction = "", exponent = "0"] = DECIMAL.exec(text) ?? [];
  const digits = (whole + fraction).replace(/0+$/, "");
  const first = digits.search(/[1-9]/);
  if (first < 0) return "0";
  // Where the decimal point falls, counted from the first significant digit.
  const point = whole.length + Number(exponent) - first;
  const significant = digits.slice(first);
  return point >= significant.length ? significant + "0".repeat(point - significant.length) : undefined;
}

/**
 * A JSON number read without losing what the text says: a double when the double tells the value
 * (every safe integer, every fraction it keeps a fraction), a bigint for an integer beyond ±(2^53−1)
 * (exact: 19-digit ids), an InexactNumber for a fraction the double loses. Numbers beyond the
 * double's range stay Infinity, as JSON.parse reads them (validation refuses them), so no bigint
 * has more than 309 digits.
 */
export function toExactNumber(text: string): number | bigint | InexactNumber {
  const n = Number(text);
  if (!Number.isFinite(n)) return n;
  if (PLAIN_INTEGER.test(text)) return Number.isSafeInteger(n) ? n : BigInt(text);
  if (!Number.isInteger(n)) return n;
  // Up to 16 characters with a "." or an "e" hold at most 15 significant digits, which a double
  // keeps: a non-zero integer double is then the exact value (0 may be an underflow: 1e-400).
  if (text.length <= 16 && n !== 0 && Number.isSafeInteger(n)) return n;
  const digits = toIntegerDigits(text);
  if (digits === undefined) return new InexactNumber(text);
  if (Number.isSafeInteger(n)) return n;
  return text.startsWith("-") ? -BigInt(digits) : BigInt(digits);
}
