import type { SignatureScheme } from "./pandapon-scheme.js";

/** A scheme without its digest and case: what decides the string-to-sign. */
export type SchemeLayout = Omit<SignatureScheme, "algorithm" | "case">;

/** The plausible layouts, in the order a person would guess them (the common convention first). */
export const CANDIDATE_FORMATS: readonly SignatureScheme["format"][] = ["pairs", "concat", "values"];
export const CANDIDATE_SEPARATORS: readonly string[] = ["&", "", ",", "|", "\n", ";"];
export const CANDIDATE_SECRET_NAMES: readonly string[] = ["key", "secret", "accessSecret", "AccessSecret"];
const PLACEMENTS: readonly SignatureScheme["secretPlacement"][] = ["pair", "suffix", "prefix", "both", "none"];

export interface CandidateFields {
  /** Signed header names that were sent (non-empty), e.g. `["access-key", "nonce-str", "timestamp"]`. */
  sent: readonly string[];
  /** Names that were sent but may not be signed (tried both ways), e.g. `nonce-str`. */
  optional?: readonly string[];
  /** Whether a body was sent, so `includeBody: true` can differ from `false`. */
  hasBody: boolean;
}

/** Every ordering of `items` (n! of them), the given order first. */
export function listPermutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const out: T[][] = [];
  items.forEach((item, i) => {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of listPermutations(rest)) out.push([item, ...tail]);
  });
  return out;
}

function listFieldSets(fields: CandidateFields): string[][] {
  const sets: string[][] = [[...fields.sent]];
  for (const name of fields.optional ?? []) {
    if (fields.sent.includes(name)) sets.push(fields.sent.filter((f) => f !== name));
  }
  return sets.filter((set) => set.length > 0);
}

/**
 * Field orders for one set of names: `sorted`, then every listed permutation. The listed
 * permutation equal to the sorted one is kept too; callers group identical strings-to-sign, which
 * collapses it onto `sorted`.
 */
function listOrders(set: readonly string[]): Array<Pick<SchemeLayout, "fields" | "order">> {
  return [{ fields: [...set].sort(), order: "sorted" as const }, ...listPermutations(set).map((fields) => ({ fields, order: "listed" as const }))];
}

/** Every layout of the search space: orders × formats × separators × body × secret placements. */
export function listCandidateLayouts(fields: CandidateFields): SchemeLayout[] {
  const layouts: SchemeLayout[] = [];
  const bodies = fields.hasBody ? [false, true] : [false];
  for (const set of listFieldSets(fields)) {
    for (const order of listOrders(set)) {
      for (const format of CANDIDATE_FORMATS) {
        for (const separator of CANDIDATE_SEPARATORS) {
          for (const includeBody of bodies) {
            for (const secretPlacement of PLACEMENTS) {
              const names = secretPlacement === "pair" ? CANDIDATE_SECRET_NAMES : ["key"];
              for (const secretName of names) {
                layouts.push({ ...order, format, separator, includeBody, secretPlacement, secretName });
              }
            }
          }
        }
      }
    }
  }
  return layouts;
}
