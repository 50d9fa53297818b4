import { toCappedText } from "../protocol/capped-text.js";

/** A thrown value that is no Error, in words (String() of an object may itself throw; a text is capped). */
export function describeThrown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(toCappedText(value));
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return String(value);
  return Array.isArray(value) ? "an array" : `an object (${Object.prototype.toString.call(value)})`;
}
