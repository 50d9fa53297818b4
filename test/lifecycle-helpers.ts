import { createProducer } from "../mock/generate/create-producer.js";
import { toJsonText } from "../protocol/json-wire.js";
import { createBirth } from "../mock/state/birth.js";
import { getLifecycles, type Lifecycle } from "../mock/state/lifecycle.js";
import { getCatalog } from "../schemas/catalog.js";
import { toViolations } from "../schemas/violations.js";

/** 2025-05-14 12:00:00 UTC: the clock lifecycle tests run on. */
export const NOW = Date.UTC(2025, 4, 14, 12, 0, 0);
export const SEED = 7;

/** The catalog, the lifecycles, a birth and a producer on one seed. */
export function setupLifecycles(seed: number | string = SEED) {
  const catalog = getCatalog();
  const lifecycles = getLifecycles();
  const producer = createProducer(catalog, { seed });
  return { catalog, lifecycles, producer, birth: createBirth({ catalog, lifecycles, seed, producer }) };
}

/** An id of the lifecycle's pattern for entity number n (distinct per n). */
export function toTestId(lifecycle: Lifecycle, n: number): string {
  const digits = String(1_000_003 * (n + 1));
  return lifecycle.id.pattern.replace(/\{d(\d+)\}|\{x(\d+)\}|\{n(\d+)-\d+\}/g, (_m, d?: string, x?: string, lo?: string) =>
    d ? digits.padStart(Number(d), "1").slice(-Number(d)).replace(/^0/, "1") : x ? digits.padStart(Number(x), "a").slice(-Number(x)) : String(lo),
  );
}

/** Schema violations of a record's fields against the entity's definition (as a client parses its JSON). */
export function checkFieldsAgainstSchema(lifecycle: Lifecycle, fields: Record<string, unknown>) {
  const validate = getCatalog().getValidator(lifecycle.data.schemaRef);
  return validate(JSON.parse(toJsonText(fields))) ? [] : toViolations(validate.errors);
}
