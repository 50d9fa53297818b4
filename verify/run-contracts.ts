import { isEntityRefusal } from "./is-entity-refusal.js";
import type { CallResult } from "../client/call-result.js";
import type { Catalog, Operation } from "../schemas/catalog.js";
import type { Api } from "../schemas/operation.js";
import type { Violation } from "../schemas/violations.js";
import { checkRequest } from "../checks/check-request.js";
import type { ApiError } from "../checks/find-api-error.js";
import { describeApiError } from "../checks/find-api-error.js";
import { findRequestExample } from "./find-request-example.js";
import { toMaskedApiError, toSecretMask } from "../checks/mask-secrets.js";
import { splitAssumed } from "./split-assumed.js";
import { toOperation } from "../checks/to-operation.js";

/** What the runner needs of a client: one signed call. Both createPandaponClient and createTopClient fit. */
export interface ContractClient {
  call(operation: string, payload: unknown): Promise<CallResult>;
}

/**
 * `passed` (maybe with warnings); `failed`: the contract is broken; `error`: no answer; `skipped`:
 * nothing to send; `assumed`: the answer is well-formed but its data differs from a shape the API
 * does not document and the project assumes (`x-assumed`) — neither a pass nor a failure;
 * `refused`: a stateful mock refused the request on an entity (its state does not allow it, or the
 * request breaks a business rule), in the protocol's error shape — neither a pass nor a failure: the
 * success shape was not seen.
 */
export type Outcome = "passed" | "failed" | "error" | "skipped" | "assumed" | "refused";

/** For an operation whose answer's shape is assumed: why, and where the answer's data differs from it. */
export interface AssumedShape {
  reason: string;
  /** Violations inside the assumed data: they do not fail (not even with `strict`) and are not counted as warnings. */
  differences: Violation[];
}

export interface OperationResult {
  operation: string;
  api: Api;
  /** `POST /alibaba/refund/info`, `taobao.pc.refund.detail` */
  endpoint: string;
  outcome: Outcome;
  /** Why it was skipped, errored, or the first reason it failed. */
  reason?: string;
  /** Where the request came from: `fixtures/<stem>.json` or `examples/<stem>/<file>`. */
  requestSource?: string;
  status?: number;
  apiError?: ApiError;
  requestViolations: Violation[];
  /** The answer's violations, except the differences from an assumed shape (see `assumed`). */
  responseViolations: Violation[];
  /** Set when the operation's answer is assumed, not documented: on every answered call, matching or not. */
  assumed?: AssumedShape;
  warnings: number;
  attempts?: number;
  durationMs: number;
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  assumed: number;
  refused: number;
  warnings: number;
}

export interface ContractRun {
  startedAt: string;
  durationMs: number;
  results: OperationResult[];
  summary: RunSummary;
  /** True when nothing failed or errored and at least one operation was verified (passed or assumed): the exit status. */
  ok: boolean;
}

export interface RunContractsOptions {
  catalog: Catalog;
  /** The client for an operation, or the reason it cannot be called (e.g. missing credentials: skipped). */
  createClient: (operation: Operation) => ContractClient | string;
  /** Operation names or aliases; default every PandaPon and TOP operation (callbacks are pushed, not called). */
  only?: readonly string[];
  fixturesDir?: string;
  examplesDir?: string;
  /** See FindRequestExampleOptions.generateRequest. */
  generateRequest?: (operation: Operation) => unknown;
  /** Warnings (drift, precision) fail the operation too; differences from an assumed shape still do not. */
  strict?: boolean;
  /** Credentials to mask in every message of the results. */
  secrets?: readonly (string | undefined)[];
  /** Called as each operation finishes (for progressive output). */
  onResult?: (result: OperationResult) => void;
}

function toEndpoint(operation: Operation): string {
  const { meta } = operation;
  return meta.api === "pandapon" ? `${meta.method ?? "POST"} ${meta.path ?? meta.name}` : meta.name;
}

/** The operations to run: `only` resolved (unknown names throw), else all but callbacks. */
export function selectOperations(catalog: Catalog, only?: readonly string[]): Operation[] {
  if (only && only.length > 0) return [...new Set(only.map((name) => toOperation(catalog, name)))];
  return catalog.operations.filter((op) => op.meta.api !== "callback");
}

function toMasked(result: OperationResult, secrets: readonly (string | undefined)[]): OperationResult {
  const mask = toSecretMask(secrets);
  const maskAll = (list: Violation[]) => list.map((v) => ({ ...v, message: mask(v.message) }));
  const out: OperationResult = {
    ...result,
    requestViolations: maskAll(result.requestViolations),
    responseViolations: maskAll(result.responseViolations),
  };
  if (result.reason !== undefined) out.reason = mask(result.reason);
  if (result.assumed) out.assumed = { reason: result.assumed.reason, differences: maskAll(result.assumed.differences) };
  if (result.apiError) out.apiError = toMaskedApiError(result.apiError, mask);
  return out;
}

function toHttpViolations(call: CallResult): Violation[] {
  if (call.status < 400 || call.apiError) return [];
  return [{ path: "", rule: "http-status", severity: "error", message: `HTTP ${call.status} without the API's error envelope` }];
}

async function runOne(operation: Operation, options: RunContractsOptions): Promise<OperationResult> {
  const started = performance.now();
  const base = { operation: operation.meta.name, api: operation.meta.api, endpoint: toEndpoint(operation) };
  const empty = { requestViolations: [], responseViolations: [], warnings: 0 };
  const elapsed = () => Math.round(performance.now() - started);
  if (operation.meta.api === "callback") {
    return { ...base, ...empty, outcome: "skipped", reason: "callbacks are pushed by the API to the integrator; nothing to call", durationMs: 0 };
  }
  const example = findRequestExample(operation, options);
  if (!example.ok) return { ...base, ...empty, outcome: example.isFailure ? "error" : "skipped", reason: example.reason, durationMs: elapsed() };
  const client = options.createClient(operation);
  if (typeof client === "string") return { ...base, ...empty, outcome: "skipped", reason: client, requestSource: example.source, durationMs: elapsed() };

  const requestViolations = checkRequest(operation, example.payload, { catalog: options.catalog });
  let call: CallResult;
  try {
    call = await client.call(operation.meta.name, example.payload);
  } catch (error) {
    const reason = (error as Error).message;
    return { ...base, ...empty, requestViolations, outcome: "error", reason, requestSource: example.source, durationMs: elapsed() };
  }
  // A stateful mock's refusal on an entity is its reason, not a violation (see Outcome).
  const refused = call.apiError !== undefined && isEntityRefusal(call.apiError);
  const answered = refused ? call.violations.filter((v) => v.rule !== "api-error") : call.violations;
  const { judged: responseViolations, assumed: differences } = splitAssumed(operation, [...toHttpViolations(call), ...answered]);
  const all = [...requestViolations, ...responseViolations];
  const failures = all.filter((v) => v.severity === "error" || options.strict === true);
  const firstFailure = failures[0];
  const result: OperationResult = {
    ...base,
    outcome: failures.length > 0 ? "failed" : refused ? "refused" : differences.length > 0 ? "assumed" : "passed",
    requestSource: example.source,
    status: call.status,
    requestViolations,
    responseViolations,
    warnings: all.filter((v) => v.severity === "warning").length,
    attempts: call.attempts,
    durationMs: elapsed(),
  };
  if (call.apiError) {
    result.apiError = call.apiError;
    result.reason = result.outcome === "refused" ? `refused by the entity's state or rules: ${describeApiError(call.apiError)}` : `the API answered with error ${describeApiError(call.apiError)}`;
  } else if (firstFailure) {
    const side = requestViolations.includes(firstFailure) ? "request " : "";
    const where = `${side}${firstFailure.path || "(root)"} ${firstFailure.message}`;
    result.reason = failures.length === 1 ? `1 failure: ${where}` : `${failures.length} failures, first: ${where}`;
  } else if (differences.length > 0) {
    const first = `${differences[0]!.path || "(root)"} ${differences[0]!.message}`;
    const count = differences.length === 1 ? "1 difference" : `${differences.length} differences`;
    result.reason = `${count} from the assumed shape of data, first: ${first}`;
  }
  if (operation.assumed) result.assumed = { reason: operation.assumed, differences };
  return result;
}

/** A summary with one more result counted (what toSummary would give over all of them). */
export function addToSummary(summary: RunSummary, result: OperationResult): RunSummary {
  const one = toSummary([result]);
  return {
    total: summary.total + one.total,
    passed: summary.passed + one.passed,
    failed: summary.failed + one.failed,
    errors: summary.errors + one.errors,
    skipped: summary.skipped + one.skipped,
    assumed: summary.assumed + one.assumed,
    refused: summary.refused + one.refused,
    warnings: summary.warnings + one.warnings,
  };
}

export function toSummary(results: readonly OperationResult[]): RunSummary {
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  return {
    total: results.length,
    passed: count("passed"),
    failed: count("failed"),
    errors: count("error"),
    skipped: count("skipped"),
    assumed: count("assumed"),
    refused: count("refused"),
    warnings: results.reduce((n, r) => n + r.warnings, 0),
  };
}

/**
 * Verifies operations against a base URL through the given clients: for each, the request
 * (user fixture, else documented example) is checked, signed, sent, and the answer checked.
 * Operations run one after another; the results are data, with every credential masked.
 */
export async function runContracts(options: RunContractsOptions): Promise<ContractRun> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const results: OperationResult[] = [];
  for (const operation of selectOperations(options.catalog, options.only)) {
    const result = toMasked(await runOne(operation, options), options.secrets ?? []);
    results.push(result);
    options.onResult?.(result);
  }
  const summary = toSummary(results);
  return {
    startedAt,
    durationMs: Math.round(performance.now() - started),
    results,
    summary,
    ok: summary.failed === 0 && summary.errors === 0 && summary.passed + summary.assumed > 0,
  };
}
