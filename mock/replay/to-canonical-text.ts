import { createHash } from "node:crypto";
import { isLosslessNumber } from "lossless-json";

/**
 * JSON text of a value that is the same for the same content: members sorted by name at every
 * level, no spaces, numbers exactly as written (LosslessNumber, bigint), strings escaped as
 * JSON.stringify does. What a recording's business payload is written as and keyed by.
 */
export function toCanonicalText(value: unknown): string {
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => toCanonicalText(item ?? null)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const members = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${toCanonicalText((value as Record<string, unknown>)[key])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** 12 hex digits of SHA-256 over the operation's name and its canonical business payload: a recording's key. */
export function toPayloadHash(operation: string, canonical: string): string {
  return createHash("sha256").update(operation).update("\n").update(canonical).digest("hex").slice(0, 12);
}
