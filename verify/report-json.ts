import { maskUrl } from "../checks/mask-secrets.js";
import type { ContractRun } from "./run-contracts.js";

export interface JsonReportContext {
  baseUrl?: string;
  topGateway?: string;
  /** Who made the report (default `pandapon-mock verify`). */
  tool?: string;
  /** The proxy's exchanges that are not among the results: not operations of the catalog, or forwarded but not checked. */
  uncheckedExchanges?: { notInCatalog: number; unchecked: number };
  /** The proxy's way with its checks: checkAll (requests waited for room rather than go unchecked), and how many waited, how long (ms). */
  backpressure?: { checkAll: boolean; waited: number; waitedMs: number; maxWaitMs: number; gaveUp: number; refused: number };
}

/** The run as one JSON document for CI tooling (credentials were masked by the runner; URLs lose user info). */
export function reportJson(run: ContractRun, context: JsonReportContext = {}): string {
  const report = {
    tool: context.tool ?? "pandapon-mock verify",
    baseUrl: context.baseUrl === undefined ? undefined : maskUrl(context.baseUrl),
    topGateway: context.topGateway === undefined ? undefined : maskUrl(context.topGateway),
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    ok: run.ok,
    summary: run.summary,
    uncheckedExchanges: context.uncheckedExchanges,
    backpressure: context.backpressure,
    results: run.results,
  };
  return JSON.stringify(report, null, 2) + "\n";
}
