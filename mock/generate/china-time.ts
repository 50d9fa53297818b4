import { readDigits } from "../../signing/read-digits.js";

/** Date-time text in China time (GMT+8), `yyyy-MM-dd HH:mm:ss`: the format both APIs use. Fast, no Date objects. */
const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
/** `yyyy-MM-dd ` by day number: generated times cluster in a few hundred days. */
const dayTexts = new Map<number, string>();
const DAY_TEXTS_MAX = 10_000;

/** `yyyy-MM-dd ` for days since 1970-01-01 (Howard Hinnant's civil_from_days). */
function toDayText(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return `${yoe + era * 400 + (m <= 2 ? 1 : 0)}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]} `;
}

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
function toDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function formatChinaTime(ms: number): string {
  const local = ms + OFFSET_MS;
  const days = Math.floor(local / DAY_MS);
  const secs = Math.floor((local - days * DAY_MS) / 1000);
  let day = dayTexts.get(days);
  if (day === undefined) {
    if (dayTexts.size >= DAY_TEXTS_MAX) dayTexts.clear();
    day = toDayText(days);
    dayTexts.set(days, day);
  }
  return `${day}${TWO_DIGITS[Math.floor(secs / 3600)]}:${TWO_DIGITS[Math.floor(secs / 60) % 60]}:${TWO_DIGITS[secs % 60]}`;
}

/** Reads text written by formatChinaTime (digits checked, ranges not: for the generator's own values). */
export function parseChinaTime(text: string): number | undefined {
  if (text.length !== 19) return undefined;
  const days = toDays(readDigits(text, 0, 4), readDigits(text, 5, 2), readDigits(text, 8, 2));
  const secs = readDigits(text, 11, 2) * 3600 + readDigits(text, 14, 2) * 60 + readDigits(text, 17, 2);
  const ms = days * DAY_MS + secs * 1000 - OFFSET_MS;
  return Number.isNaN(ms) ? undefined : ms;
}
