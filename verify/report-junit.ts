import type { Violation } from "../schemas/violations.js";
import type { ContractRun, OperationResult } from "./run-contracts.js";
import { toSummary } from "./run-contracts.js";

/** Text safe inside XML content and attributes: markup escaped, characters XML 1.0 forbids dropped. */
export function toXmlText(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function toSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function toLines(side: string, violations: readonly Violation[], label?: string): string[] {
  return violations.map((v) => `${label ?? (v.severity === "error" ? "FAIL" : "WARN")} ${side}${v.path || "(root)"} [${v.rule}] ${v.message}`);
}

/** What the output says of an assumed shape: its differences, or that the answer matches it; and why it is assumed. */
function toAssumedLines(result: OperationResult): string[] {
  if (!result.assumed) return [];
  const { differences, reason } = result.assumed;
  if (differences.length > 0) return [...toLines("", differences, "ASSUMED"), `assumed, not failed: ${reason}`];
  return result.outcome === "passed" ? [`PASS on an assumed shape (the answer is not documented): ${reason}`] : [];
}

function toTestCase(result: OperationResult, classname: string): string {
  const attributes = `classname="${toXmlText(classname)}" name="${toXmlText(result.operation)}" time="${toSeconds(result.durationMs)}"`;
  const details = [...toLines("request ", result.requestViolations), ...toLines("", result.responseViolations)];
  const failures = details.filter((line) => line.startsWith("FAIL"));
  const warnings = details.filter((line) => line.startsWith("WARN"));
  const output = [...warnings, ...toAssumedLines(result)];
  const body: string[] = [];
  const reason = toXmlText(result.reason ?? "");
  if (result.outcome === "skipped") body.push(`<skipped message="${reason}"/>`);
  if (result.outcome === "assumed") body.push(`<skipped message="assumed: ${reason}"/>`);
  if (result.outcome === "refused") body.push(`<skipped message="${reason}"/>`);
  if (result.outcome === "error") body.push(`<error message="${reason}" type="no-answer">${reason}</error>`);
  if (result.outcome === "failed") {
    const type = result.apiError ? "api-error" : "contract";
    body.push(`<failure message="${reason}" type="${type}">${toXmlText((failures.length > 0 ? failures : warnings).join("\n"))}</failure>`);
  }
  if (output.length > 0) body.push(`<system-out>${toXmlText(output.join("\n"))}</system-out>`);
  if (body.length === 0) return `    <testcase ${attributes}/>`;
  return [`    <testcase ${attributes}>`, ...body.map((b) => `      ${b}`), "    </testcase>"].join("\n");
}

/**
 * JUnit XML that CI systems read: one `<testsuite>` per API (pandapon, top), one `<testcase>` per
 * operation; contract violations are `<failure>`, calls without an answer `<error>`, operations
 * without a request `<skipped>`, and warnings (drift, precision) go to `<system-out>`. An answer
 * that differs from an assumed shape is `<skipped message="assumed: …">` — CI tools show a skip
 * with its message and do not fail the build, which a testcase property would not show at all —
 * and counted among the skips; its differences, or a pass on an assumed shape, go to `<system-out>`.
 * A stateful mock's refusal of an action on an entity is a skip too, its message saying so.
 */
export function reportJunit(run: ContractRun, name = "pandapon-mock verify", runFailure?: { name: string; message: string }): string {
  const apis = [...new Set(run.results.map((r) => r.api))];
  const suites = apis.map((api) => {
    const results = run.results.filter((r) => r.api === api);
    const s = toSummary(results);
    const skipped = s.skipped + s.assumed + s.refused;
    const time = results.reduce((t, r) => t + r.durationMs, 0);
    const classname = `pandapon-mock.${api}`;
    return [
      `  <testsuite name="${toXmlText(classname)}" tests="${s.total}" failures="${s.failed}" errors="${s.errors}" skipped="${skipped}" time="${toSeconds(time)}" timestamp="${run.startedAt.slice(0, 19)}">`,
      ...results.map((r) => toTestCase(r, classname)),
      "  </testsuite>",
    ].join("\n");
  });
  // A failure of the run as a whole (not of one operation), in a suite of its own so that CI shows it.
  if (runFailure) {
    const message = toXmlText(runFailure.message);
    suites.push(
      [
        `  <testsuite name="pandapon-mock.run" tests="1" failures="1" errors="0" skipped="0" time="0.000">`,
        `    <testcase classname="pandapon-mock.run" name="${toXmlText(runFailure.name)}" time="0.000">`,
        `      <failure message="${message}" type="run">${message}</failure>`,
        "    </testcase>",
        "  </testsuite>",
      ].join("\n"),
    );
  }
  const s = run.summary;
  const extra = runFailure ? 1 : 0;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${toXmlText(name)}" tests="${s.total + extra}" failures="${s.failed + extra}" errors="${s.errors}" skipped="${s.skipped + s.assumed + s.refused}" time="${toSeconds(run.durationMs)}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
