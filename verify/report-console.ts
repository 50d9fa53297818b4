import type { Violation } from "../schemas/violations.js";
import type { ContractRun, OperationResult } from "./run-contracts.js";

const LABELS = { passed: "PASS ", failed: "FAIL ", error: "ERROR", skipped: "SKIP ", assumed: "ASSUMED", refused: "REFUSED" } as const;

function toViolationLines(prefix: string, violations: readonly Violation[], mark?: string): string[] {
  return violations.map(
    (v) => `        ${mark ?? (v.severity === "error" ? "✗" : "!")} ${prefix}${v.path || "(root)"}  [${v.rule}] ${v.message}`,
  );
}

/** The one line of an operation: outcome, operation, HTTP status, time, and the reason or warning count (a pass on an assumed shape says so). */
export function toConsoleLine(result: OperationResult): string {
  const label = result.outcome === "passed" && result.warnings > 0 ? "WARN " : LABELS[result.outcome];
  const where = result.operation === result.endpoint || result.api !== "pandapon" ? result.operation : result.endpoint;
  const status = result.status !== undefined ? `  HTTP ${result.status}` : "";
  const time = result.outcome === "skipped" ? "" : `  ${result.durationMs} ms`;
  const warnings = result.warnings > 0 ? `  ${result.warnings} warning${result.warnings === 1 ? "" : "s"}` : "";
  const onAssumed = result.outcome === "passed" && result.assumed ? "  — matches its assumed shape (the answer is not documented)" : "";
  const reason = result.reason && result.outcome !== "passed" ? `  — ${result.reason}` : onAssumed;
  return `${label}  ${where}${status}${time}${warnings}${reason}`;
}

/** The violations below a failed or warned operation, request side first; then differences from an assumed shape (`~`) and why it is assumed. */
export function toConsoleDetails(result: OperationResult): string[] {
  const differences = result.assumed?.differences ?? [];
  return [
    ...toViolationLines("request ", result.requestViolations),
    ...toViolationLines("", result.responseViolations),
    ...toViolationLines("", differences, "~"),
    ...(differences.length > 0 ? [`        assumed, not failed: ${result.assumed!.reason}`] : []),
  ];
}

/** `5 operations: 2 passed (1 with warnings), 1 assumed, 1 failed, 1 error, 1 skipped; 4 warnings; 310 ms. FAILED` */
export function toConsoleSummary(run: ContractRun): string {
  const s = run.summary;
  const passed = run.results.filter((r) => r.outcome === "passed");
  const warned = passed.filter((r) => r.warnings > 0).length;
  const onAssumed = passed.filter((r) => r.assumed).length;
  const notes = [...(warned > 0 ? [`${warned} with warnings`] : []), ...(onAssumed > 0 ? [`${onAssumed} on an assumed shape`] : [])];
  const parts = [
    `${s.passed} passed${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`,
    ...(s.assumed > 0 ? [`${s.assumed} assumed`] : []),
    ...(s.refused > 0 ? [`${s.refused} refused by entity state`] : []),
    `${s.failed} failed`,
    ...(s.errors > 0 ? [`${s.errors} error${s.errors === 1 ? "" : "s"}`] : []),
    `${s.skipped} skipped`,
  ];
  const verdict = run.ok ? "OK" : s.passed + s.assumed === 0 && s.failed === 0 && s.errors === 0 ? "NOTHING VERIFIED" : "FAILED";
  return `${s.total} operation${s.total === 1 ? "" : "s"}: ${parts.join(", ")}; ${s.warnings} warning${s.warnings === 1 ? "" : "s"}; ${run.durationMs} ms. ${verdict}`;
}

/** The whole console report: one line per operation (details indented below it), then the summary. */
export function reportConsole(run: ContractRun): string {
  const lines = run.results.flatMap((r) => [toConsoleLine(r), ...toConsoleDetails(r)]);
  return [...lines, "", toConsoleSummary(run)].join("\n") + "\n";
}
