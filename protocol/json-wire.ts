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

/** Whether a value holds a bigint anywhere (a walk, far cheaper than the exception JSON.stringify throws for one). */
function holdsBigInt(value: unknown): boolean {
  if (typeof value === "bigint") return true;
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(holdsBigInt);
  for (const key in value as Record<string, unknown>) if (holdsBigInt((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** A member JSON.stringify leaves out of an object (null in an array). */
const isSkipped = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

/**
 * JSON text of plain data holding bigints, written member by member: what the replacer and its
 * marker pass give, several times faster (a replacer is called on every member, and the marked
 * text is searched once more). Whatever holds no bigint is left to JSON.stringify as a whole.
 */
function writeWithBigInts(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function" || !holdsBigInt(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) text += (i > 0 ? "," : "") + (isSkipped(value[i]) ? "null" : writeWithBigInts(value[i]));
    return `${text}]`;
  }
  let text = "";
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (!isSkipped(v)) text += `${text === "" ? "" : ","}${JSON.stringify(key)}:${writeWithBigInts(v)}`;
  }
  return `{${text}}`;
}

/** JSON text of a value that may hold bigint, without changing it: for values kept after (toJsonText's exception is costly where bigints are common). */
export function writeKeptJson(value: unknown): string {
  return holdsBigInt(value) ? writeWithBigInts(value) : JSON.stringify(value);
}

/** Replaces every bigint in a freshly built value by its marker, in place; true when it found one. */
function markBigInts(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  let found = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === "bigint") {
        value[i] = BIGINT_MARK + v.toString();
        found = true;
      } else if (v !== null && typeof v === "object" && markBigInts(v)) found = true;
    }
    return found;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    const v = obj[key];
    if (typeof v === "bigint") {
      obj[key] = BIGINT_MARK + v.toString();
      found = true;
    } else if (v !== null && typeof v === "object" && markBigInts(v)) found = true;
  }
  return found;
}

/**
 * JSON text for a value built for this one answer (the mock's hot path). It CONSUMES the value:
 * bigints are replaced by markers in place, which is cheaper than a replacer called on every member.
 */
export function writeFreshJson(value: unknown): string {
  return markBigInts(value) ? JSON.stringify(value).replace(MARKED, "$1") : JSON.stringify(value);
}
