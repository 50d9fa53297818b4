import { describe, expect, it } from "vitest";
import { reportJunit } from "../verify/report-junit.js";
import type { ContractRun, OperationResult } from "../verify/run-contracts.js";
import { toSummary } from "../verify/run-contracts.js";
import { parseXmlTree } from "../checks/parse-top-xml.js";
import type { XmlElement } from "../checks/parse-top-xml.js";

function setup(): ContractRun {
  const base = { requestViolations: [], responseViolations: [], warnings: 0, durationMs: 12 };
  const results: OperationResult[] = [
    {
      ...base,
      operation: "/alibaba/refund/info",
      api: "pandapon",
      endpoint: "POST /alibaba/refund/info",
      outcome: "failed",
      status: 200,
      reason: `1 failure: data.remark must be <string> & "quoted" 'x'\u0001`,
      responseViolations: [
        { path: "data.remark", rule: "type", severity: "error", message: `must be <string> & "quoted" 'x'\u0001` },
        { path: "data.extra", rule: "drift", severity: "warning", message: "is not a documented member" },
      ],
      warnings: 1,
    },
    { ...base, operation: "/v2/alibaba/refund/goods/return", api: "pandapon", endpoint: "POST /v2/alibaba/refund/goods/return", outcome: "passed", status: 200 },
    { ...base, operation: "/open/order/refund/cancel/{refundId}", api: "pandapon", endpoint: "GET /open/order/refund/cancel/{refundId}", outcome: "skipped", reason: "no example request" },
    { ...base, operation: "taobao.pc.refund.detail", api: "top", endpoint: "taobao.pc.refund.detail", outcome: "error", reason: "Failed to call: timed out" },
  ];
  return { startedAt: "2024-05-14T06:59:37.082Z", durationMs: 48, results, summary: toSummary(results), ok: false };
}

function find(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...find(child, name)]);
}

describe("reportJunit", () => {
  it("writes well-formed XML whose text survives escaping, control characters dropped", () => {
    const parsed = parseXmlTree(reportJunit(setup()));
    expect(parsed.ok).toBe(true);
    const root = parsed.ok ? parsed.value : undefined;
    expect(root?.name).toBe("testsuites");
    const [failure] = find(root!, "failure");
    expect(failure!.text).toBe(`FAIL data.remark [type] must be <string> & "quoted" 'x'`);
    expect(find(root!, "system-out").map((e) => e.text)).toEqual(["WARN data.extra [drift] is not a documented member"]);
  });

  it("counts tests, failures, errors and skips per suite and in total", () => {
    const xml = reportJunit(setup());
    expect(xml).toContain(`<testsuites name="pandapon-mock verify" tests="4" failures="1" errors="1" skipped="1" time="0.048">`);
    expect(xml).toContain(`<testsuite name="pandapon-mock.pandapon" tests="3" failures="1" errors="0" skipped="1" time="0.036" timestamp="2024-05-14T06:59:37">`);
    expect(xml).toContain(`<testsuite name="pandapon-mock.top" tests="1" failures="0" errors="1" skipped="0" time="0.012" timestamp="2024-05-14T06:59:37">`);
    expect(xml).toContain(`<failure message="1 failure: data.remark must be &lt;string&gt; &amp; &quot;quoted&quot; &apos;x&apos;" type="contract">`);
    expect(xml).toContain(`<skipped message="no example request"/>`);
    expect(xml).toContain(`<error message="Failed to call: timed out" type="no-answer">Failed to call: timed out</error>`);
    expect(xml).toContain(`<testcase classname="pandapon-mock.pandapon" name="/v2/alibaba/refund/goods/return" time="0.012"/>`);
  });
});
