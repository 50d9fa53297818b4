const BIGINT_MARK = "\u0000bigint:";
const bigintReplacer = (_key: string, v: unknown): unknown => (typeof v === "bigint" ? BIGINT_MARK + v.toString() : v);
const MARKED = /"\\u0000bigint:(-?\d+)"/g;

/**
 * JSON text for a value that may hold bigint: 19-digit ids go out as exact integer literals, as the
 * docs show them (JSON.stringify alone refuses bigint).
 */
export function toJsonText(value: unknown, space?: number): string {
  try {
    return JSON.stringify(value, null, space);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return toJsonTextWithBigInt(value, space);
  }
}

function toJsonTextWithBigInt(value: unknown, space?: number): string {
  return JSON.stringify(value, bigintReplacer, space).replace(MARKED, "$1");
}

/**
 * A writer that learns, per kind of value (e.g. per operation), whether it holds bigint, so the
 * hot path pays for neither a failed attempt nor a replacer it does not need.
 */
export function createJsonWriter(): (kind: string, value: unknown) => string {
  const withBigInt = new Set<string>();
  return (kind, value) => {
    if (withBigInt.has(kind)) return toJsonTextWithBigInt(value);
    try {
      return JSON.stringify(value);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      withBigInt.add(kind);
      return toJsonTextWithBigInt(value);
    }
  };
}
