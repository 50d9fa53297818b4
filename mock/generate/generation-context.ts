import type { Faker } from "@faker-js/faker";

/** What every generator of one answer reads: its seeded draws, the request it answers, the reference date. */
export interface GenerationContext {
  faker: Faker;
  /** Uniform [0, 1) from the request's seeded sequence. */
  random: () => number;
  /** The validated request, for `from` echoes. */
  request: unknown;
  /** The fixed "now" generated times lie before (deterministic on every machine). */
  refDateMs: number;
  /** The request element a mirrored list item answers (`from: "@item.…"`). */
  item?: unknown;
  /** The position of the list item being generated (`table` with `row: "index"`). */
  index?: number;
  /** The row the list (with `rows`) gives the item being generated: `table` members of that table read it. */
  listRow?: { table: string; row: Record<string, unknown> };
}
