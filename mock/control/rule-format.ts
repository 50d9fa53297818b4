import { toCappedText } from "../../protocol/capped-text.js";
import { toJsonText } from "../../protocol/json-wire.js";
import { PANDAPON_ERRORS } from "../../protocol/pandapon-error-table.js";
import type { PandaponErrorName } from "../../protocol/pandapon-error-table.js";
import { TOP_ERRORS } from "../../protocol/top-error-table.js";
import type { TopErrorName } from "../../protocol/top-error-table.js";
import type { Catalog } from "../../schemas/catalog.js";
import { TOP_LIMIT_ERRORS } from "./top-limit-errors.js";

/**
 * A rule as data: which requests it matches and what it does to them. Rules are JSON (config file,
 * admin API, library); `toRule` checks one and says in one sentence what is wrong with it.
 */
export interface RuleMatch {
  api?: "pandapon" | "top";
  /** A PandaPon operation's path as the catalog names it (`/alibaba/refund/info`) or a TOP method. */
  operation?: string;
  /** A PandaPon access-key or a TOP app_key. */
  tenant?: string;
  /** Values the request carries: PandaPon's JSON body, query and path parameters; TOP's business parameters (a subset: each named value must be equal, compared as text for numbers and strings). */
  body?: Record<string, unknown>;
  /** The same as body (a name that reads better for query and TOP parameters). */
  params?: Record<string, unknown>;
  /** The rule applies to its first N matching requests, then no more. */
  times?: number;
  /** The share of matching requests it applies to, drawn from the seed: the same run, the same requests. */
  probability?: number;
  /** Applies only to requests that name it in the `x-pandapon-mock-rule` header. */
  onlyWhenNamed?: boolean;
}

export type Latency = { fixedMs: number } | { minMs: number; maxMs: number } | { medianMs: number; sigma: number; maxMs?: number };

export type FaultKind = "connection-reset" | "empty-response" | "malformed-chunked" | "random-bytes" | "no-answer";
export const FAULT_KINDS: readonly FaultKind[] = ["connection-reset", "empty-response", "malformed-chunked", "random-bytes", "no-answer"];

export interface RuleAnswer {
  /** A named error of the API's table, or a business error `{code, msg}` in the API's envelope (PandaPon: HTTP `status`, default 200). */
  error?: string | { code: number; msg: string; status?: number };
  /** A TOP `error_response`: a named entry of the TOP table, or `{code, msg, sub_code, sub_msg}`. Only TOP requests. */
  top?: string | { code: number; msg: string; sub_code?: string; sub_msg?: string };
  /** Held before the answer (or the fault). */
  latency?: Latency;
  /** A gateway failure: 502, 503 or 504 with a gateway's HTML page instead of the API's envelope. */
  http?: 502 | 503 | 504;
  /** What happens to the connection instead of an answer; `holdMs` bounds no-answer (default 30,000). */
  fault?: FaultKind | { kind: FaultKind; holdMs?: number; bytes?: number };
}

export interface RuleInput {
  name?: string;
  match?: RuleMatch;
  answer: RuleAnswer;
}

export interface Rule {
  id: string;
  name?: string;
  match: RuleMatch;
  answer: RuleAnswer;
  /** Where the rule stands in the order they were added (the first matching rule applies). */
  order: number;
}

/** A rule that cannot be taken: the sentence says why. */
export class RuleError extends Error {
  override name = "RuleError";
}

const MATCH_KEYS = new Set(["api", "operation", "tenant", "body", "params", "times", "probability", "onlyWhenNamed"]);
const ANSWER_KEYS = new Set(["error", "top", "latency", "http", "fault"]);
/** Latency longer than this is refused (a test would time out first). */
export const MAX_LATENCY_MS = 120_000;
/** The longest a no-answer fault holds a connection. */
export const MAX_HOLD_MS = 120_000;
export const DEFAULT_HOLD_MS = 30_000;

function fail(where: string, message: string): never {
  throw new RuleError(`${where}: ${message}`);
}

/** A value in a message: JSON (bigint too), at most 80 characters. */
function toShown(value: unknown): string {
  return toCappedText(toJsonText(value) ?? "nothing", 80);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkMs(where: string, name: string, value: unknown, max = MAX_LATENCY_MS): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) fail(where, `${name} must be a number of milliseconds from 0 to ${max}, not ${toShown(value)}`);
  return value;
}

/** Checks one rule (`where` names it in the message: "rule 2", "rules[0]"). */
export function toRule(input: unknown, where: string, catalog: Catalog): Omit<Rule, "id" | "order"> {
  if (!isObject(input)) fail(where, "a rule is a JSON object {name?, match?, answer}");
  for (const key of Object.keys(input)) if (!["name", "match", "answer", "id"].includes(key)) fail(where, `unknown member "${toCappedText(key, 80)}" (a rule has name, match and answer)`);
  const name = input.name;
  if (name !== undefined && (typeof name !== "string" || name === "" || name.length > 200)) fail(where, "name must be a non-empty text of at most 200 characters");
  const match = toMatch(input.match ?? {}, where, catalog);
  const answer = toAnswer(input.answer, where);
  if (answer.top !== undefined) {
    if (match.api === "pandapon") fail(where, "answer.top is a TOP error_response, but match.api is pandapon");
    match.api = "top";
  }
  if (match.operation !== undefined) {
    const api = catalog.find(match.operation)!.meta.api === "top" ? "top" : "pandapon";
    if (match.api !== undefined && match.api !== api) fail(where, `match.operation ${match.operation} is a ${api} operation, but the rule is for ${match.api}`);
  }
  if (typeof answer.error === "string") {
    const api = Object.hasOwn(PANDAPON_ERRORS, answer.error) ? (Object.hasOwn(TOP_ERRORS, answer.error) ? undefined : "pandapon") : "top";
    if (api && match.api && api !== match.api) fail(where, `answer.error ${answer.error} is in the ${api} table, but the rule is for ${match.api}`);
    if (api) match.api ??= api;
  }
  return { ...(name !== undefined ? { name: name as string } : {}), match, answer };
}

function toMatch(value: unknown, where: string, catalog: Catalog): RuleMatch {
  if (!isObject(value)) fail(where, "match must be a JSON object");
  for (const key of Object.keys(value)) if (!MATCH_KEYS.has(key)) fail(where, `unknown match member "${toCappedText(key, 80)}" (known: ${[...MATCH_KEYS].join(", ")})`);
  const match: RuleMatch = {};
  if (value.api !== undefined) {
    if (value.api !== "pandapon" && value.api !== "top") fail(where, `match.api must be "pandapon" or "top", not ${toShown(value.api)}`);
    match.api = value.api;
  }
  if (value.operation !== undefined) {
    if (typeof value.operation !== "string" || !catalog.find(value.operation)) fail(where, `match.operation ${toShown(value.operation)} is no served operation (a PandaPon path as GET /__mock/operations lists it, or a TOP method)`);
    match.operation = value.operation;
  }
  if (value.tenant !== undefined) {
    if (typeof value.tenant !== "string" || value.tenant === "") fail(where, "match.tenant must be a non-empty text (a PandaPon access-key or TOP app_key)");
    match.tenant = value.tenant;
  }
  for (const key of ["body", "params"] as const) {
    if (value[key] === undefined) continue;
    if (!isObject(value[key])) fail(where, `match.${key} must be a JSON object of the values to find`);
    match[key] = value[key] as Record<string, unknown>;
  }
  if (value.times !== undefined) {
    if (!Number.isSafeInteger(value.times) || (value.times as number) < 1) fail(where, `match.times must be a whole number ≥ 1, not ${toShown(value.times)}`);
    match.times = value.times as number;
  }
  if (value.probability !== undefined) {
    const p = value.probability;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) fail(where, `match.probability must be a number from 0 to 1, not ${toShown(p)}`);
    match.probability = p;
  }
  if (value.onlyWhenNamed !== undefined) {
    if (typeof value.onlyWhenNamed !== "boolean") fail(where, "match.onlyWhenNamed must be true or false");
    match.onlyWhenNamed = value.onlyWhenNamed;
  }
  return match;
}

function toAnswer(value: unknown, where: string): RuleAnswer {
  if (!isObject(value)) fail(where, "answer must be a JSON object with one of error, top, http, fault, and/or latency");
  for (const key of Object.keys(value)) if (!ANSWER_KEYS.has(key)) fail(where, `unknown answer member "${toCappedText(key, 80)}" (known: ${[...ANSWER_KEYS].join(", ")})`);
  const effects = ["error", "top", "http", "fault"].filter((k) => value[k] !== undefined);
  if (effects.length > 1) fail(where, `answer may hold one of error, top, http and fault (besides latency), not ${effects.join(" and ")}`);
  if (effects.length === 0 && value.latency === undefined) fail(where, "answer needs one of error, top, http, fault or latency");
  const answer: RuleAnswer = {};
  if (value.error !== undefined) answer.error = toError(value.error, where);
  if (value.top !== undefined) answer.top = toTop(value.top, where);
  if (value.http !== undefined) {
    if (value.http !== 502 && value.http !== 503 && value.http !== 504) fail(where, `answer.http must be 502, 503 or 504, not ${toShown(value.http)}`);
    answer.http = value.http;
  }
  if (value.fault !== undefined) answer.fault = toFault(value.fault, where);
  if (value.latency !== undefined) answer.latency = toLatency(value.latency, where);
  return answer;
}

function toError(value: unknown, where: string): RuleAnswer["error"] {
  if (typeof value === "string") {
    if (!Object.hasOwn(PANDAPON_ERRORS, value) && !Object.hasOwn(TOP_ERRORS, value)) fail(where, `answer.error "${value.slice(0, 80)}" is in neither error table (PandaPon: ${Object.keys(PANDAPON_ERRORS).join(", ")}; TOP: ${Object.keys(TOP_ERRORS).join(", ")})`);
    return value as PandaponErrorName | TopErrorName;
  }
  if (!isObject(value)) fail(where, "answer.error is a table entry's name or {code, msg, status?}");
  if (!Number.isSafeInteger(value.code)) fail(where, "answer.error.code must be a whole number");
  if (typeof value.msg !== "string") fail(where, "answer.error.msg must be a text");
  if (value.status !== undefined && (!Number.isSafeInteger(value.status) || (value.status as number) < 200 || (value.status as number) > 599)) fail(where, "answer.error.status must be an HTTP status from 200 to 599");
  return { code: value.code as number, msg: value.msg, ...(value.status !== undefined ? { status: value.status as number } : {}) };
}

function toTop(value: unknown, where: string): RuleAnswer["top"] {
  if (typeof value === "string") {
    if (!Object.hasOwn(TOP_ERRORS, value) && !Object.hasOwn(TOP_LIMIT_ERRORS, value)) fail(where, `answer.top "${value.slice(0, 80)}" is not in the TOP tables (${[...Object.keys(TOP_LIMIT_ERRORS), ...Object.keys(TOP_ERRORS)].join(", ")})`);
    return value;
  }
  if (!isObject(value)) fail(where, "answer.top is a TOP table entry's name or {code, msg, sub_code?, sub_msg?}");
  if (!Number.isSafeInteger(value.code)) fail(where, "answer.top.code must be a whole number");
  if (typeof value.msg !== "string") fail(where, "answer.top.msg must be a text");
  for (const key of ["sub_code", "sub_msg"]) if (value[key] !== undefined && typeof value[key] !== "string") fail(where, `answer.top.${key} must be a text`);
  if (value.sub_msg !== undefined && value.sub_code === undefined) fail(where, "answer.top.sub_msg goes with a sub_code (SDKs print sub_code:sub_msg)");
  return { code: value.code as number, msg: value.msg, ...(value.sub_code !== undefined ? { sub_code: value.sub_code as string } : {}), ...(value.sub_msg !== undefined ? { sub_msg: value.sub_msg as string } : {}) };
}

function toFault(value: unknown, where: string): RuleAnswer["fault"] {
  const kind = typeof value === "string" ? value : isObject(value) ? value.kind : undefined;
  if (!FAULT_KINDS.includes(kind as FaultKind)) fail(where, `answer.fault must be one of ${FAULT_KINDS.join(", ")} (or {kind, holdMs?, bytes?}), not ${toShown(value)}`);
  if (typeof value === "string") return value as FaultKind;
  const fault = value as Record<string, unknown>;
  const out: { kind: FaultKind; holdMs?: number; bytes?: number } = { kind: kind as FaultKind };
  if (fault.holdMs !== undefined) out.holdMs = checkMs(where, "answer.fault.holdMs", fault.holdMs, MAX_HOLD_MS);
  if (fault.bytes !== undefined) {
    if (!Number.isSafeInteger(fault.bytes) || (fault.bytes as number) < 1 || (fault.bytes as number) > 65_536) fail(where, "answer.fault.bytes must be a whole number from 1 to 65536");
    out.bytes = fault.bytes as number;
  }
  return out;
}

function toLatency(value: unknown, where: string): Latency {
  if (!isObject(value)) fail(where, "answer.latency is {fixedMs}, {minMs, maxMs} or {medianMs, sigma, maxMs?}");
  if (value.fixedMs !== undefined) return { fixedMs: checkMs(where, "answer.latency.fixedMs", value.fixedMs) };
  if (value.medianMs !== undefined) {
    const sigma = value.sigma;
    if (typeof sigma !== "number" || !(sigma >= 0 && sigma <= 5)) fail(where, "answer.latency.sigma must be a number from 0 to 5 (the spread of the log of the delay)");
    return { medianMs: checkMs(where, "answer.latency.medianMs", value.medianMs), sigma, maxMs: value.maxMs === undefined ? MAX_LATENCY_MS : checkMs(where, "answer.latency.maxMs", value.maxMs) };
  }
  if (value.minMs !== undefined && value.maxMs !== undefined) {
    const minMs = checkMs(where, "answer.latency.minMs", value.minMs);
    const maxMs = checkMs(where, "answer.latency.maxMs", value.maxMs);
    if (maxMs < minMs) fail(where, "answer.latency.maxMs must not be below minMs");
    return { minMs, maxMs };
  }
  return fail(where, "answer.latency is {fixedMs}, {minMs, maxMs} or {medianMs, sigma, maxMs?}");
}
