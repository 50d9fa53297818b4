import { isLosslessNumber, stringify } from "lossless-json";

/**
 * A parameter value as text for a query string or form: strings as they are, numbers with their
 * exact digits (LosslessNumber, bigint), structs as JSON text (losslessly: big ids keep every digit).
 * Undefined for absent values (`undefined`, `null`), which are not sent.
 */
export function toParamText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (isLosslessNumber(value)) return value.value;
  return stringify(value) ?? undefined;
}
