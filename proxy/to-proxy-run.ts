import type { ContractRun, RunSummary } from "../verify/run-contracts.js";
import { toSummary } from "../verify/run-contracts.js";
import type { ProxyBackpressure, ProxyResult } from "./create-proxy.js";

/**
 * The exchanges seen as a run, for verify's JSON and JUnit reports: one result per exchange. ok
 * when no exchange broke its contract; upstream failures (no answer, 5xx) are counted as errors
 * and reported, but they are the API's, passed through, and do not fail the run. `notChecked`:
 * exchanges left unchecked that fail the run (with --check-all, every one left unchecked).
 */
export function toProxyRun(results: readonly ProxyResult[], startedAt: string, durationMs: number, summary: RunSummary = toSummary(results), notChecked = 0): ContractRun {
  return { startedAt, durationMs, results: [...results], summary, ok: summary.failed === 0 && notChecked === 0 };
}


/**
 * `12 exchanges checked: 9 passed, 1 assumed, 1 failed, 1 upstream error; 3 warnings. FAILED`, the
 * exchanges forwarded unchecked, if any, and with --check-all (`backpressure.checkAll`) how long
 * requests waited for the checks.
 */
export function toProxySummary(run: ContractRun, unknown: number, unchecked = 0, backpressure?: ProxyBackpressure): string {
  const s = run.summary;
  const parts = [
    `${s.passed} passed`,
    ...(s.assumed > 0 ? [`${s.assumed} assumed`] : []),
    `${s.failed} failed`,
    `${s.errors} upstream error${s.errors === 1 ? "" : "s"}`,
    ...(unknown > 0 ? [`${unknown} not in the catalog (passed through unchecked)`] : []),
  ];
  const were = `${unchecked} more exchange${unchecked === 1 ? " was" : "s were"}`;
  const behind =
    unchecked === 0
      ? ""
      : backpressure?.checkAll
        ? ` ${were} forwarded but NOT checked despite --check-all (a body too long to keep, or a check worker stopped; see the journal and stderr).`
        : ` ${were} forwarded but NOT checked (the checks fell behind, or a body was too long to keep; see the journal).`;
  return `${s.total} exchange${s.total === 1 ? "" : "s"} checked: ${parts.join(", ")}; ${s.warnings} warning${s.warnings === 1 ? "" : "s"}. ${run.ok ? "OK" : "FAILED"}${behind}${backpressure?.checkAll ? `\n${toWaitLine(backpressure)}` : ""}`;
}

/** `--check-all: 1,234 requests waited for the checks before they were forwarded (5,678 ms in all, at most 12 ms)`, and the ones not forwarded. */
function toWaitLine(b: ProxyBackpressure): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
  const waited = b.waited === 0 ? "no request waited for the checks" : `${count(b.waited, "request")} waited for the checks before ${b.waited === 1 ? "it was" : "they were"} forwarded (${count(b.waitedMs, "ms", "ms")} in all, at most ${count(b.maxWaitMs, "ms", "ms")})`;
  const notForwarded = [
    ...(b.gaveUp > 0 ? [`${count(b.gaveUp, "client")} went away while ${b.gaveUp === 1 ? "its request" : "their requests"} waited`] : []),
    ...(b.refused > 0 ? [`${count(b.refused, "request")} answered 503 (too many waiting)`] : []),
  ];
  return `--check-all: ${waited}${notForwarded.length > 0 ? `; not forwarded: ${notForwarded.join(", ")}` : ""}.`;
}
