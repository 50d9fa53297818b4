import { Faker } from "@faker-js/faker";
import { faker as zhCnFaker } from "@faker-js/faker/locale/zh_CN";
import type { Catalog, Operation } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";
import { compileGenerator } from "./compile-generator.js";
import { createRandomizer, hashToSeed } from "./randomizer.js";
import type { GenerationContext } from "./value-generators.js";

/** Where generated times end: fixed, so answers are the same on every machine and every day. */
export const DEFAULT_REF_DATE = "2025-04-25T12:00:00+08:00";

export interface Producer {
  /** The `Data` of an answer to `request`: the same for the same seed, operation and request. */
  produceData(operation: Operation, request: unknown): unknown;
  /** Data and a 32-hex request id for one answer, from one pass over the request. */
  produceAnswer(operation: Operation, request: unknown): { data: unknown; requestId: string };
  /** A realistic, valid request for an operation (for examples, the contract runner, the benchmark). */
  produceRequest(operation: Operation, variant?: number): unknown;
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
  // zh_CN (with its en and base fallbacks) from the locale's own entry point: loading every locale costs ~250 ms at start.
  const faker = new Faker({ locale: zhCnFaker.rawDefinitions, randomizer });
  faker.setDefaultRefDate(refDateMs);
  const generators = new Map<string, (ctx: GenerationContext) => unknown>();

  const generatorFor = (operation: Operation, part: "Data" | "Request", schema: JsonSchema) => {
    const key = `${part}|${operation.meta.name}`;
    let gen = generators.get(key);
    if (!gen) {
      gen = compileGenerator(catalog, operation, schema);
      generators.set(key, gen);
    }
    return gen;
  };

  const contextFor = (text: string, request: unknown): GenerationContext => {
    randomizer.seed(hashToSeed(text));
    return { faker, random: randomizer.next, request, refDateMs };
  };

  const toHexId = (ctx: GenerationContext): string => {
    let id = "";
    for (let i = 0; i < 4; i++) id += Math.floor(ctx.random() * 0x100000000).toString(16).padStart(8, "0");
    return id;
  };
  const produceData = (operation: Operation, request: unknown, canonical = toCanonicalText(request)): unknown => {
    if (!operation.data) return null;
    const gen = generatorFor(operation, "Data", operation.data);
    return gen(contextFor(`${seed}|${operation.meta.name}|${canonical}`, request));
  };

  return {
    produceData: (operation, request) => produceData(operation, request),
    produceAnswer(operation, request) {
      const canonical = toCanonicalText(request);
      const requestId = toHexId(contextFor(`${seed}|id|${operation.meta.name}|${canonical}`, request));
      return { data: produceData(operation, request, canonical), requestId };
    },
    produceRequest(operation, variant = 0) {
      if (!operation.request) return {};
      const gen = generatorFor(operation, "Request", operation.request);
      return gen(contextFor(`${seed}|request|${operation.meta.name}|${variant}`, {})) ?? {};
    },
  };
}
