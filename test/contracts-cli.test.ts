import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { registerCheck, runCheck } from "../cli/commands/check.js";
import { SCHEMA_DIR } from "../schemas/catalog.js";
import { createCommandRunner } from "./helpers/command-runner.js";
import { createTestIo } from "./helpers/create-test-io.js";

const ROOT = join(SCHEMA_DIR, "..");
const EXAMPLES = join(SCHEMA_DIR, "examples");
const run = promisify(execFile);

/** Runs the real command line (tsx start costs about a second: used sparingly). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(ROOT, "node_modules", ".bin", "tsx"), ["cli/main.ts", ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function setup() {
  const test = createTestIo();
  const dir = mkdtempSync(join(tmpdir(), "contracts-cli-"));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  return { io: test.io, write, out: () => test.out };
}

describe("pandapon-mock check", () => {
  it("exits 0 for a valid saved request", async () => {
    const file = join(EXAMPLES, "alibaba-refund-info", "request.documented.json");
    const result = await cli("check", "/alibaba/refund/info", file);
    expect(result).toMatchObject({ code: 0, stdout: `OK: ${file} is a valid request of /alibaba/refund/info\n` });
  }, 30_000);

  it("exits 1 for an invalid saved response, naming every violated path", async () => {
    const file = join(EXAMPLES, "alibaba-refund-info", "response.wrong-types.invalid.json");
    const result = await cli("check", "/alibaba/refund/info", file);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")).toEqual([
      `FAIL: ${file} is not a valid response of /alibaba/refund/info: 2 failure(s), 0 warning(s)`,
      "  ✗ data.applyPayment  [type] must be integer or null",
      "  ✗ data.onlyRefund  [type] must be boolean or null",
      "",
    ]);
  }, 30_000);

  it("reads a bare response body as a response, says so, and passes it with its warnings", () => {
    const { io, write, out } = setup();
    const file = write("answer.json", `{"code":200,"msg":"成功","data":{"orderId":2123456789012345678}}`);
    expect(runCheck("/alibaba/refund/info", file, {}, io)).toBe(0);
    expect(out()).toContain("with 1 warning(s) (read as a response; use --direction to say otherwise)");
    expect(out()).toContain("! data.orderId  [precision] 2123456789012345678 (19 digits)");
  });

  it("fails on warnings with --strict", () => {
    const { io, write } = setup();
    const file = write("answer.json", `{"code":200,"msg":"成功","data":{"orderId":2123456789012345678}}`);
    expect(runCheck("/alibaba/refund/info", file, { strict: true }, io)).toBe(1);
  });

  it("reads a bare request body as a request", () => {
    const { io, write, out } = setup();
    expect(runCheck("/alibaba/refund/info", write("req.json", `{"refund_id":"TQ1"}`), {}, io)).toBe(1);
    expect(out()).toContain("is not a valid request of /alibaba/refund/info");
    expect(out()).toContain("✗ refundId  [required] is required");
  });

  it("checks TOP XML and prints JSON when asked", () => {
    const { io, out } = setup();
    const file = join(EXAMPLES, "taobao-pc-refund-detail", "response.documented.xml");
    expect(runCheck("taobao.pc.refund.detail", file, { json: true }, io)).toBe(1);
    const report = JSON.parse(out()) as { direction: string; ok: boolean; violations: Array<{ rule: string }> };
    expect(report).toMatchObject({ direction: "response", ok: false });
    expect(report.violations.map((v) => v.rule)).toEqual(["enum", "enum", "enum", "enum"]);
  });

  it("lists a response's differences from an assumed data shape without failing, and fails its envelope as usual", () => {
    const { io, write, out } = setup();
    const differs = write("created.json", `{"code":200,"msg":"成功","data":{"orderId":2542285634920880794}}`);
    expect(runCheck("/alibaba/order/create", differs, { strict: true }, io)).toBe(0);
    expect(out().split("\n")).toEqual([
      `OK: ${differs} is a valid response of /alibaba/order/create (read as a response; use --direction to say otherwise)`,
      "  ~ data.orderId  [type] must be string",
      expect.stringMatching(/^  ~ data\.orderId  \[precision\] 2542285634920880794 \(19 digits\) /),
      expect.stringMatching(/^  its data differs from the assumed shape in 2 place\(s\), not failed: PandaPon does not document this answer/),
      "",
    ]);
    const json = setup();
    const broken = json.write("broken.json", `{"code":"200","msg":"成功","data":{"orderId":"2542285634920880794"}}`);
    expect(runCheck("/alibaba/order/create", broken, { json: true }, json.io)).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({ ok: false, violations: [{ path: "code", rule: "type" }], assumed: { differences: [] } });
  });

  it("exits 2 for an unknown operation or a missing file", async () => {
    const { run } = createCommandRunner(registerCheck, "check");
    const unknown = await run("/alibaba/refund/nope", join(EXAMPLES, "alibaba-refund-info", "request.documented.json"));
    const missing = await run("/alibaba/refund/info", join(tmpdir(), "no-such-file.json"));
    expect([unknown.exitCode, missing.exitCode]).toEqual([2, 2]);
    expect(unknown.err).toContain('Unknown operation "/alibaba/refund/nope"');
    expect(missing.err).toContain("no-such-file.json");
  });
});
