import type { ErrorObject, ValidateFunction } from "ajv";
import { InexactNumber } from "../protocol/to-exact-number.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Stands for a doubtful number in the second pass: a number, but no integer. */
const NO_INTEGER = 0.5;

/** A number ajv cannot judge as it is, where it sits, and what is doubtful about it. */
interface Site {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  pointer: string;
  value: bigint | number | InexactNumber;
  /** `range`: an integer outside the signed 64-bit range; `fraction`: a fraction the double lost. */
  doubt: "range" | "fraction" | undefined;
}

function toDoubt(value: bigint | number | InexactNumber): Site["doubt"] {
  if (value instanceof InexactNumber) return "fraction";
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "range";
  return value < INT64_MIN || value > INT64_MAX ? "range" : undefined;
}

/** Every bigint, InexactNumber and non-finite number in a value, with the JSON pointer ajv reports it at. */
function findSites(value: unknown, pointer: string, out: Site[]): Site[] {
  if (value === null || typeof value !== "object") return out;
  const holder = value as Record<string, unknown> | unknown[];
  for (const [key, member] of Object.entries(holder)) {
    const at = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    const isBeyondDouble = typeof member === "bigint" || member instanceof InexactNumber || (typeof member === "number" && !Number.isFinite(member));
    if (isBeyondDouble) {
      const site = member as Site["value"];
      out.push({ holder, key: Array.isArray(holder) ? Number(key) : key, pointer: at, value: site, doubt: toDoubt(site) });
    } else findSites(member, at, out);
  }
  return out;
}

function put(site: Site, value: unknown): void {
  if (Array.isArray(site.holder)) site.holder[site.key as number] = value;
  else Object.defineProperty(site.holder, site.key, { value, enumerable: true, writable: true, configurable: true });
}

function toRangeError(site: Site, integerAt: ErrorObject): ErrorObject {
  const above = (site.value as bigint | number) > 0;
  const limit = above ? INT64_MAX : INT64_MIN;
  return {
    instancePath: site.pointer,
    schemaPath: integerAt.schemaPath,
    keyword: above ? "maximum" : "minimum",
    params: { comparison: above ? "<=" : ">=", limit: String(limit) },
    message: `must be ${above ? "<=" : ">="} ${limit} (a signed 64-bit integer)`,
  };
}

/**
 * Validates a request read exactly (mock/read-json.ts): ajv judges numbers as doubles, and the
 * request may hold bigint (integers beyond ±(2^53−1), exact) and InexactNumber (a fraction the
 * double loses). Design, the simplest found correct: each such value is replaced IN PLACE by its
 * nearest double and the payload validated as usual — that judges every rule except two, "is it
 * an integer" and "does it fit the 64-bit integers the APIs' ids are" (beyond 2^53 a double cannot
 * tell 2^63−1 from 2^63). Only when a value is doubtful on those counts (an InexactNumber, an
 * integer outside ±2^63, a number beyond the double's range) is the payload validated once more
 * with the doubtful values replaced by 0.5: ajv's own `type` errors at their paths say which stand
 * where the schema wants an integer, however it says so (`$ref`, unions, `anyOf`), and those are
 * refused ("must be integer", or "must be <= 9223372036854775807"). The schemas give ids no
 * `maximum`; the API pages type them int64 (Java's Long), so that is the range of every integer
 * (a schema's own `minimum`/`maximum` is still checked, on the double).
 * Then each bigint is put back, so the generator echoes the exact digits; an InexactNumber that
 * passed (a number member) stays its double. The coercing validators (query and TOP parameters)
 * coerce the other members in place as before.
 */
export function validateExact(validate: ValidateFunction, payload: unknown): ErrorObject[] {
  const sites = findSites(payload, "", []);
  for (const site of sites) put(site, site.value instanceof InexactNumber ? site.value.toNumber() : Number(site.value));
  let errors = validate(payload) ? [] : [...(validate.errors ?? [])];
  const doubtful = sites.filter((site) => site.doubt !== undefined);
  if (doubtful.length > 0) errors = withDoubtsJudged(validate, payload, doubtful, errors);
  for (const site of sites) if (typeof site.value === "bigint") put(site, site.value);
  return errors;
}

/** The errors, with each doubtful value that stands where the schema wants an integer refused (and nothing else said of it). */
function withDoubtsJudged(validate: ValidateFunction, payload: unknown, doubtful: Site[], errors: ErrorObject[]): ErrorObject[] {
  const validated = doubtful.map((site) => (site.holder as Record<string | number, unknown>)[site.key]);
  for (const site of doubtful) put(site, NO_INTEGER);
  const probe = validate(payload) ? [] : (validate.errors ?? []);
  doubtful.forEach((site, i) => put(site, validated[i]));
  const refused: ErrorObject[] = [];
  for (const site of doubtful) {
    const wantsInteger = probe.find((e) => e.keyword === "type" && e.instancePath === site.pointer && String(e.params.type).split(",").includes("integer"));
    if (wantsInteger) refused.push(site.doubt === "range" ? toRangeError(site, wantsInteger) : wantsInteger);
  }
  const refusedAt = new Set(refused.map((e) => e.instancePath));
  return [...errors.filter((e) => !refusedAt.has(e.instancePath)), ...refused];
}
