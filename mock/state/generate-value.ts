import { Faker, base, zh_CN } from "@faker-js/faker";
import { fromWireText, fromWireValue, toWireValue } from "../../protocol/wire-text.js";
import type { Kind } from "../../schemas/primary-kind.js";
import type { GenerationContext } from "../generate/generation-context.js";
import type { MockSpec, ValueGen } from "../generate/value-generators.js";
import { GENERATORS, OMIT, toDependencies } from "../generate/value-generators.js";
import type { Evaluate } from "./expression-scope.js";

/** Only the locale's definitions are read (family and given names); every draw comes from the action's seeded randomness. */
let faker: Faker | undefined;

/** Options of x-mock the generator's compiler applies around a generator, which lifecycles say otherwise. */
const WRAPPER_OPTIONS: Readonly<Record<string, string>> = {
  from: 'read the request with {"input": path}',
  nullRate: 'choose null with {"if": {"chance": p}, …}',
};

/**
 * `{"generate": spec}`: a value made by the mock's own generator for an x-mock spec (names, phones,
 * addresses, patterns, amounts, times…), drawn from the action's seeded randomness, with the
 * entity's fields as the object it reads (`lte`, `after`, `field`) and the action's time as the
 * reference date (generated times lie before it). Table and address rows are shared within one action.
 */
export function compileGenerate(node: unknown, as: Kind | undefined, at: string): Evaluate {
  const spec = (typeof node === "string" ? { gen: node } : node) as MockSpec;
  const factory = GENERATORS[spec.gen];
  if (!factory) throw new Error(`Failed to read lifecycle expression at ${at}: "${spec.gen}" is not a generator a lifecycle can use.`);
  for (const [option, instead] of Object.entries(WRAPPER_OPTIONS)) {
    if (option in spec) throw new Error(`Failed to read lifecycle expression at ${at}: the option "${option}" of x-mock is not read here; ${instead}.`);
  }
  // The entity's members the spec reads and the input are converted to wire text only for a spec that reads them.
  const reads = toDependencies(spec);
  const readsInput = spec.template?.includes("{request.") === true;
  const byKind = new Map<Kind, ValueGen>();
  return (s) => {
    const kind = as ?? s.kind ?? "string";
    let generate = byKind.get(kind);
    if (!generate) {
      generate = factory(spec, kind);
      byKind.set(kind, generate);
    }
    faker ??= new Faker({ locale: [zh_CN, base] });
    const ctx: GenerationContext = { faker, random: s.random, request: readsInput ? toWireValue(s.input) : null, refDateMs: s.now };
    const obj: Record<string, unknown> = {};
    for (const member of reads) {
      if (Object.hasOwn(s.fields, member)) Object.defineProperty(obj, member, { value: toWireValue(s.fields[member]), enumerable: true, writable: true, configurable: true });
    }
    const value = generate(ctx, { obj, rows: s.rows });
    return value === OMIT || value === undefined ? null : typeof value === "string" ? fromWireText(value) : fromWireValue(value);
  };
}
