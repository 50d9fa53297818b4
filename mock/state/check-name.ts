/** Longest tenant, type, id, sequence name, meta key, topic or owner the store keeps. */
export const MAX_NAME_LENGTH = 200;

/** A NUL, or half a surrogate pair: text columns (UTF-8) cannot keep them exactly. */
const UNKEEPABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `value` cannot be a name the store keys by, or undefined when it can. */
export function checkName(value: unknown, what: string): string | undefined {
  if (typeof value !== "string" || value.length === 0) return `${what} must be a non-empty string`;
  if (value.length > MAX_NAME_LENGTH) return `${what} is longer than ${MAX_NAME_LENGTH} characters`;
  if (UNKEEPABLE.test(value)) return `${what} holds a NUL or an unpaired surrogate, which the store cannot keep exactly`;
  return undefined;
}

/** Why `value` cannot be a time (epoch ms) or a count, or undefined when it can. */
export function checkInteger(value: unknown, what: string, min = 0): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= min ? undefined : `${what} must be an integer ≥ ${min}`;
}
