import { Faker, base, zh_CN } from "@faker-js/faker";
import type { Catalog, Operation } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";
import { writeFreshJson } from "../../protocol/json-wire.js";
import { toTopWireXmlMembers } from "../../protocol/top-xml.js";
import type { WireText } from "../../protocol/wire-text.js";
import { asWireText, fromWireValue, toWireValue } from "../../protocol/wire-text.js";
import { compileGenerator } from "./compile-generator.js";
import { createBoundedMap } from "../bounded-map.js";
import { createRandomizer, hashToSeed } from "./randomizer.js";
import type { GenerationContext } from "./generation-context.js";

/** Data generators leaving members out kept at most (compiling one takes about a millisecond). */
const MAX_PARTIAL_GENERATORS = 256;

/** Where generated times end: fixed, so answers are the same on every machine and every day. */
export const DEFAULT_REF_DATE = "2025-04-25T12:00:00+08:00";

/** The formats an answer's data is encoded in: PandaPon and TOP speak JSON, TOP also XML. */
export type AnswerFormat = "json" | "xml";

/**
 * An answer's data encoded for one format, as the bytes it is sent as; the same for every request
 * that asks for it. Opaque: only the envelope writers (mock/pandapon/write-pandapon-envelope.ts,
 * mock/top/write-top-envelope.ts) read its text.
 */
export interface EncodedAnswer {
  readonly format: AnswerFormat;
  /** json: the data's JSON text; xml: the data's members as elements, without a root element. Wire text (protocol/wire-text.ts). */
  readonly text: WireText;
}

/**
 * A change the caller makes to generated data before it is encoded (e.g. an entity shown in it):
 * `paths` are the dotted members it sets or removes, which are then not generated (unless a
 * generated member reads them); `apply` makes the change, on data whose strings are wire text.
 */
export interface DataChange {
  paths: readonly string[];
  apply(data: unknown): unknown;
}

export interface Producer {
  /** The `Data` of an answer to `request`: the same for the same seed, operation and request. */
  produceData(operation: Operation, request: unknown): unknown;
  /**
   * The same data encoded for `format`, for an envelope writer (what the mock sends); `canonical`:
   * the request's toCanonicalText, when known; `change` is made to the data before it is encoded,
   * and what it sets is not generated (the other members are then drawn otherwise, as deterministically).
   */
  produceAnswer(operation: Operation, request: unknown, format: AnswerFormat, canonical?: string, change?: DataChange): EncodedAnswer;
  /**
   * A realistic, valid request for an operation (for examples, the contract runner, the benchmark);
   * `leaveOut`: members (dotted paths) not generated, for a caller that reads only the others.
   */
  produceRequest(operation: Operation, variant?: number, leaveOut?: readonly string[]): unknown;
}

/** Stable text of a value: object keys sorted, so equal requests hash alike whatever their key order. */
export function toCanonicalText(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value === "bigint" ? value.toString() : JSON.stringify(value) ?? "";
  if (Array.isArray(value)) return `[${value.map(toCanonicalText).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${toCanonicalText(obj[k])}`)
    .join(",")}}`;
}

export function createProducer(catalog: Catalog, options: { seed?: number | string; refDate?: string } = {}): Producer {
  const seed = String(options.seed ?? 1);
  const refDateMs = Date.parse(options.refDate ?? DEFAULT_REF_DATE);
  if (Number.isNaN(refDateMs)) throw new Error(`Invalid reference date "${options.refDate}": use an ISO date such as ${DEFAULT_REF_DATE}.`);
  const randomizer = createRandomizer();
  // zh_CN over base only: the generators read Chinese definitions, and leaving out the en fallback
  // (half of faker's code in the bundle) shortens the cold start; every locale would cost ~250 ms.
  const faker = new Faker({ locale: [zh_CN, base], randomizer });
  faker.setDefaultRefDate(refDateMs);
  const generators = new Map<string, (ctx: GenerationContext) => unknown>();
  // Data generators leaving members out, by operation and paths: as many as the changes callers make (views of entities, answers of actions).
  const partial = createBoundedMap<(ctx: GenerationContext) => unknown>(MAX_PARTIAL_GENERATORS);

  const generatorFor = (operation: Operation, part: "Data" | "Request", schema: JsonSchema) => {
    const key = `${part}|${operation.meta.name}`;
    let gen = generators.get(key);
    if (!gen) {
      gen = compileGenerator(catalog, operation, schema);
      generators.set(key, gen);
    }
    return gen;
  };
  const partialFor = (operation: Operation, part: "Data" | "Request", schema: JsonSchema, paths: readonly string[]) => {
    const key = `${part}|${operation.meta.name}|${paths.join("|")}`;
    let gen = partial.get(key);
    if (!gen) {
      gen = compileGenerator(catalog, operation, schema, new Set(paths));
      partial.set(key, gen);
    }
    return gen;
  };

  // Generators work in wire text: the request they echo from is converted (shared as is when ASCII),
  // and what they make is converted back for callers that want data (produceData, produceRequest).
  const contextFor = (seedValue: number, request: unknown): GenerationContext => {
    randomizer.seed(seedValue);
    return { faker, random: randomizer.next, request: toWireValue(request), refDateMs };
  };
  /** One hash of (seed, operation, request) seeds the data. */
  const toSeed = (operation: Operation, request: unknown, canonical = toCanonicalText(request)) => hashToSeed(`${seed}|${operation.meta.name}|${canonical}`);
  const produceData = (operation: Operation, request: unknown, seedValue: number, leaveOut: readonly string[] = []): unknown => {
    if (!operation.data) return null;
    const gen = leaveOut.length > 0 ? partialFor(operation, "Data", operation.data, leaveOut) : generatorFor(operation, "Data", operation.data);
    return gen(contextFor(seedValue, request));
  };

  return {
    produceData: (operation, request) => fromWireValue(produceData(operation, request, toSeed(operation, request))),
    produceAnswer(operation, request, format, canonical, change) {
      // Generated in wire text and written as is: JSON.stringify of wire text is wire text (it
      // escapes nothing at or above 0x80), and the XML writer escapes wire text as such.
      const generated = produceData(operation, request, toSeed(operation, request, canonical), change?.paths);
      const data = change ? change.apply(generated) : generated;
      if (format === "xml") return { format, text: toTopWireXmlMembers(data) };
      return { format, text: asWireText(data === undefined ? "null" : writeFreshJson(data)) };
    },
    produceRequest(operation, variant = 0, leaveOut = []) {
      if (!operation.request) return {};
      const gen = leaveOut.length > 0 ? partialFor(operation, "Request", operation.request, leaveOut) : generatorFor(operation, "Request", operation.request);
      return fromWireValue(gen(contextFor(hashToSeed(`${seed}|request|${operation.meta.name}|${variant}`), {})) ?? {});
    },
  };
}
