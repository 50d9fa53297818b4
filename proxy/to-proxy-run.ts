import type { ContractRun, RunSummary } from "../verify/run-contracts.js";
import { toSummary } from "../verify/run-contracts.js";
import type { ProxyResult } from "./create-proxy.js";

/**
 * The exchanges seen as a run, for verify's JSON and JUnit reports: one result per exchange. ok
 * when no exchange broke its contract; upstream failures (no answer, 5xx) are counted as errors
 * and reported, but they are the API's, passed through, and do not fail the run.
 */
export function toProxyRun(results: readonly ProxyResult[], startedAt: string, durationMs: number, summary: RunSummary = toSummary(results)): ContractRun {
  return { startedAt, durationMs, results: [...results], summary, ok: summary.failed === 0 };
}


/** `12 exchanges checked: 9 passed, 1 assumed, 1 failed, 1 upstream error; 3 warnings. FAILED`, and the exchanges forwarded unchecked, if any. */
export function toProxySummary(run: ContractRun, unknown: number, unchecked = 0): string {
  const s = run.summary;
  const parts = [
    `${s.passed} passed`,
    ...(s.assumed > 0 ? [`${s.assumed} assumed`] : []),
    `${s.failed} failed`,
    `${s.errors} upstream error${s.errors === 1 ? "" : "s"}`,
    ...(unknown > 0 ? [`${unknown} not in the catalog (passed through unchecked)`] : []),
  ];
  const behind = unchecked > 0 ? ` ${unchecked} more exchange${unchecked === 1 ? " was" : "s were"} forwarded but NOT checked (the checks fell behind, or a body was too long to keep; see the journal).` : "";
  return `${s.total} exchange${s.total === 1 ? "" : "s"} checked: ${parts.join(", ")}; ${s.warnings} warning${s.warnings === 1 ? "" : "s"}. ${run.ok ? "OK" : "FAILED"}${behind}`;
}
