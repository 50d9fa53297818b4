/**
 * The arithmetic of one page of results: how many pages a total makes, how many items a page holds,
 * and which page number or size a request asks for. Pages are numbered from 1.
 */

/** A page number or size as a request gives it: a whole number ≥ 1 (a number, or its digits as text); anything else is not one. */
export function toPageValue(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** ceil(total / size): the number of pages `total` results fill, 0 without results. */
export function toPageCount(total: number, size: number): number {
  return total > 0 && size > 0 ? Math.ceil(total / size) : 0;
}

/** The items on page `number` of `size`: min(size, max(0, total − (number − 1) · size)); a page beyond the last is empty. */
export function toPageItemCount(total: number, size: number, number: number): number {
  if (!(size > 0) || !(number >= 1) || !(total > 0)) return 0;
  return Math.max(0, Math.min(size, total - (number - 1) * size));
}
