import type { Catalog } from "../../schemas/catalog.js";
import { toHash53 } from "../to-hash53.js";
import type { Latency, Rule, RuleInput } from "./rule-format.js";
import { RuleError, toRule } from "./rule-format.js";

/**
 * The rules in force, indexed by operation: a request looks only at the rules of its operation
 * and at those that name none, so rules about other operations cost one map lookup however many
 * there are. The first matching rule, in the order they were added, applies (one per request).
 */
export interface RuleBook {
  /** Adds rules (all or none: a bad one refuses the lot with a RuleError); answers them with their ids. */
  add(inputs: readonly unknown[]): RuleView[];
  list(): RuleView[];
  /** Removes one rule by id or name; false when there is none. */
  remove(idOrName: string): boolean;
  clear(): void;
  readonly size: number;
  /**
   * The rule that applies to this request, if any: `named` (the x-pandapon-mock-rule header) picks
   * one rule by name or id whatever its match says; otherwise the first rule whose match holds.
   */
  check(request: RuleRequest): RuleHit | { unknownName: string } | undefined;
}

export interface RuleRequest {
  api: "pandapon" | "top";
  operation: string;
  tenant: string;
  /** The request's values (read only when a rule asks about them). */
  readValues(): Record<string, unknown>;
  named?: string;
}

/** A rule applying to one request: the rule, which of its hits this is (1, 2, …), and what was drawn for it. */
export interface RuleHit {
  rule: Rule;
  hit: number;
  delayMs: number;
  /** Seeded bytes for a random-bytes fault. */
  randomBytes(count: number): Buffer;
}

/** A rule as listed: its JSON, its id, and how often it matched. */
export interface RuleView {
  id: string;
  name?: string;
  match: Rule["match"];
  answer: Rule["answer"];
  matched: number;
}

interface Entry {
  rule: Rule;
  /** Requests the match held for before the draw (probability rules draw on this count). */
  seen: number;
  matched: number;
}

const NONE: readonly Entry[] = [];

export function createRuleBook(options: { seed: number | string; catalog: Catalog }): RuleBook {
  const seed = String(options.seed);
  let entries: Entry[] = [];
  let byOperation = new Map<string, Entry[]>();
  let anyOperation: Entry[] = [];
  const byName = new Map<string, Entry>();
  let nextId = 1;
  const reindex = () => {
    byOperation = new Map();
    anyOperation = [];
    byName.clear();
    for (const entry of entries) {
      const operation = entry.rule.match.operation;
      if (operation === undefined) anyOperation.push(entry);
      else byOperation.set(operation, [...(byOperation.get(operation) ?? []), entry]);
      byName.set(entry.rule.id, entry);
      if (entry.rule.name !== undefined) byName.set(entry.rule.name, entry);
    }
  };
  const view = (entry: Entry): RuleView => ({ id: entry.rule.id, ...(entry.rule.name !== undefined ? { name: entry.rule.name } : {}), match: entry.rule.match, answer: entry.rule.answer, matched: entry.matched });
  const toHit = (entry: Entry): RuleHit => {
    entry.matched += 1;
    const key = entry.rule.name ?? entry.rule.id;
    const hit = entry.matched;
    const latency = entry.rule.answer.latency;
    return { rule: entry.rule, hit, delayMs: latency ? drawLatency(latency, seed, key, hit) : 0, randomBytes: (count) => drawBytes(count, seed, key, hit) };
  };
  return {
    add(inputs) {
      const taken = inputs.map((input, i) => toRule(input, inputs.length === 1 ? "the rule" : `rule ${i + 1}`, options.catalog));
      const names = new Set<string>();
      for (const rule of taken) {
        if (rule.name === undefined) continue;
        if (names.has(rule.name) || byName.has(rule.name)) throw new RuleError(`the rule name "${rule.name}" is taken: names pick rules (x-pandapon-mock-rule, DELETE /__mock/rules/{name}), so each is used once`);
        if (/^r\d+$/.test(rule.name)) throw new RuleError(`the rule name "${rule.name}" looks like an id (r1, r2, …): choose another`);
        names.add(rule.name);
      }
      const added = taken.map((rule) => ({ rule: { ...rule, id: `r${nextId}`, order: nextId++ }, seen: 0, matched: 0 }));
      entries = [...entries, ...added];
      reindex();
      return added.map(view);
    },
    list: () => entries.map(view),
    remove(idOrName) {
      const entry = byName.get(idOrName);
      if (!entry) return false;
      entries = entries.filter((e) => e !== entry);
      reindex();
      return true;
    },
    clear() {
      entries = [];
      reindex();
    },
    get size() {
      return entries.length;
    },
    check(request) {
      if (request.named !== undefined) {
        const entry = byName.get(request.named);
        if (!entry) return { unknownName: request.named };
        return toHit(entry);
      }
      const own = byOperation.get(request.operation) ?? NONE;
      if (own.length === 0 && anyOperation.length === 0) return undefined;
      // The two lists merged in the order the rules were added.
      let i = 0;
      let j = 0;
      let values: Record<string, unknown> | undefined;
      while (i < own.length || j < anyOperation.length) {
        const entry = j >= anyOperation.length || (i < own.length && own[i]!.rule.order < anyOperation[j]!.rule.order) ? own[i++]! : anyOperation[j++]!;
        const { match } = entry.rule;
        if (match.onlyWhenNamed) continue;
        if (match.api !== undefined && match.api !== request.api) continue;
        if (match.tenant !== undefined && match.tenant !== request.tenant) continue;
        if (match.times !== undefined && entry.matched >= match.times) continue;
        if (match.body || match.params) {
          values ??= request.readValues();
          if (match.body && !holds(values, match.body)) continue;
          if (match.params && !holds(values, match.params)) continue;
        }
        if (match.probability !== undefined) {
          entry.seen += 1;
          if (drawUnit(seed, entry.rule.name ?? entry.rule.id, "probability", entry.seen) >= match.probability) continue;
        }
        return toHit(entry);
      }
      return undefined;
    },
  };
}

/** Whether every value the rule names is in the request (objects by their members, numbers and texts as text: ids travel both ways). */
function holds(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === "object") {
    if (Array.isArray(expected)) {
      return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => holds(actual[i], e));
    }
    const from = typeof actual === "string" ? parseJson(actual) : actual;
    if (from === null || typeof from !== "object") return false;
    return Object.entries(expected).every(([k, v]) => holds((from as Record<string, unknown>)[k], v));
  }
  if (actual === undefined) return false;
  if (expected === null || actual === null) return expected === actual;
  // An object never equals a text or number (and String() of one with a member toString that is no function throws).
  if (typeof actual === "object") return false;
  return String(actual) === String(expected);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A number in [0, 1) from the seed, the rule and what is drawn: the same run draws the same numbers. */
function drawUnit(seed: string, rule: string, what: string, n: number): number {
  return toHash53([seed, rule, what, String(n)]) / 2 ** 53;
}

function drawLatency(latency: Latency, seed: string, rule: string, hit: number): number {
  if ("fixedMs" in latency) return latency.fixedMs;
  if ("minMs" in latency) return Math.round(latency.minMs + drawUnit(seed, rule, "uniform", hit) * (latency.maxMs - latency.minMs));
  // Lognormal: the median times e^(sigma·Z), Z standard normal (Box–Muller from two seeded draws).
  const u1 = Math.max(drawUnit(seed, rule, "normal-1", hit), Number.MIN_VALUE);
  const u2 = drawUnit(seed, rule, "normal-2", hit);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.min(Math.round(latency.medianMs * Math.exp(latency.sigma * z)), latency.maxMs ?? Infinity);
}

function drawBytes(count: number, seed: string, rule: string, hit: number): Buffer {
  const bytes = Buffer.alloc(count);
  for (let i = 0; i < count; i++) bytes[i] = toHash53([seed, rule, "bytes", String(hit), String(i)]) & 0xff;
  return bytes;
}

export type { RuleInput };
