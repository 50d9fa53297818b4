import { formatChinaTime, parseChinaTime } from "../generate/china-time.js";

/** How an entity's times are written: China time text (the APIs' format), its date, yyyyMMdd, or epoch ms. */
export type TimeFormat = "datetime" | "date" | "yyyyMMdd" | "epoch-ms";

let last = { ms: Number.NaN, text: "" };

/** A time as the format writes it (epoch-ms: a number; the others: text). */
export function toTimeValue(ms: number, format: TimeFormat): string | number {
  if (format === "epoch-ms") return ms;
  // An action writes its time in several fields: the text of the last time is kept.
  if (ms !== last.ms) last = { ms, text: formatChinaTime(ms) };
  const text = last.text;
  if (format === "datetime") return text;
  return format === "date" ? text.slice(0, 10) : text.slice(0, 4) + text.slice(5, 7) + text.slice(8, 10);
}

/**
 * Reads a time: epoch ms (a number or 13 digits), `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd` (China
 * time) or `yyyyMMdd`. Undefined for anything else, a day 41 or a month 13 included: the text must
 * be what formatting its own instant writes.
 */
export function readTime(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  if (/^\d{13}$/.test(value)) return Number(value);
  const text =
    value.length === 19 ? value : value.length === 10 ? `${value} 00:00:00` : /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)} 00:00:00` : "";
  const ms = parseChinaTime(text);
  return ms !== undefined && formatChinaTime(ms) === text ? ms : undefined;
}
