import { parseTopTimestamp } from "../signing/verify.js";

/**
 * Reads a push `timestamp` as epoch ms, or undefined when it is in none of the accepted forms.
 * Its format is not documented, so it is read as:
 * - a number or a string of 13+ digits: epoch milliseconds (the unit of the API's own timestamps);
 * - a string or number of 9–11 digits: epoch seconds;
 * - `yyyy-MM-dd HH:mm:ss`: China time (GMT+8), as on the platform's other date fields and TOP.
 */
export function parsePushTimestamp(value: string | number): number | undefined {
  const text = typeof value === "number" ? (Number.isSafeInteger(value) ? String(value) : "") : value.trim();
  if (/^\d{12,16}$/.test(text)) return Number(text);
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  return parseTopTimestamp(text);
}
