import type { Violation } from "../schemas/violations.js";
import type { ContractRun, OperationResult } from "./run-contracts.js";

const LABELS = { passed: "PASS ", failed: "FAIL ", error: "ERROR", skipped: "SKIP " } as const;

function toViolationLines(prefix: string, violations: readonly Violation[]): string[] {
  return violations.map(
    (v) => `        ${v.severity === "error" ? "✗" : "!"} ${prefix}${v.path || "(root)"}  [${v.rule}] ${v.message}`,
  );
}

/** The one line of an operation: outcome, operation, HTTP status, time, and the reason or warning count. */
export function toConsoleLine(result: OperationResult): string {
  const label = result.outcome === "passed" && result.warnings > 0 ? "WARN " : LABELS[result.outcome];
  const where = result.operation === result.endpoint || result.api !== "pandapon" ? result.operation : result.endpoint;
  const status = result.status !== undefined ? `  HTTP ${result.status}` : "";
  const time = result.outcome === "skipped" ? "" : `  ${result.durationMs} ms`;
  const warnings = result.warnings > 0 ? `  ${result.warnings} warning${result.warnings === 1 ? "" : "s"}` : "";
  const reason = result.reason && result.outcome !== "passed" ? `  — ${result.reason}` : "";
  return `${label}  ${where}${status}${time}${warnings}${reason}`;
}

/** The violations below a failed or warned operation, request side first. */
export function toConsoleDetails(result: OperationResult): string[] {
  return [...toViolationLines("request ", result.requestViolations), ...toViolationLines("", result.responseViolations)];
}

/** `5 operations: 2 passed (1 with warnings), 1 failed, 1 error, 1 skipped; 4 warnings; 310 ms. FAILED` */
export function toConsoleSummary(run: ContractRun): string {
  const s = run.summary;
  const warned = run.results.filter((r) => r.outcome === "passed" && r.warnings > 0).length;
  const parts = [
    `${s.passed} passed${warned > 0 ? ` (${warned} with warnings)` : ""}`,
    `${s.failed} failed`,
    ...(s.errors > 0 ? [`${s.errors} error${s.errors === 1 ? "" : "s"}`] : []),
    `${s.skipped} skipped`,
  ];
  const verdict = run.ok ? "OK" : s.passed === 0 && s.failed === 0 && s.errors === 0 ? "NOTHING VERIFIED" : "FAILED";
  return `${s.total} operation${s.total === 1 ? "" : "s"}: ${parts.join(", ")}; ${s.warnings} warning${s.warnings === 1 ? "" : "s"}; ${run.durationMs} ms. ${verdict}`;
}

/** The whole console report: one line per operation (details indented below it), then the summary. */
export function reportConsole(run: ContractRun): string {
  const lines = run.results.flatMap((r) => [toConsoleLine(r), ...toConsoleDetails(r)]);
  return [...lines, "", toConsoleSummary(run)].join("\n") + "\n";
}
