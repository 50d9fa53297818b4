import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../schemas/package-root.js";

// The README, followed from top to bottom on a port other than 4010, with the built CLI (`npm test` builds it first).
const BUNDLE = join(PACKAGE_ROOT, "dist/cli/pandapon-mock.js");
const README = readFileSync(join(PACKAGE_ROOT, "README.md"), "utf8");

/** The text of one `## heading` section of the README. */
function readSection(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "## ${heading}"`);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The `npx pandapon-mock …` commands of a section's shell blocks (continued lines joined), as run from a clone. */
function readCommands(heading: string): string[] {
  const blocks = [...readSection(heading).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ""));
  return blocks
    .flatMap((block) => block.split("\n"))
    .filter((line) => line.startsWith("npx pandapon-mock "))
    .map((line) => line.replace(/\s+#.*$/, "").replace(/^npx pandapon-mock /, `node ${BUNDLE} `));
}

/** `serve --port 0` as a user would start it on a port of their choosing; resolves with the URL it tells to export. */
function startServe() {
  const child = spawn(process.execPath, [BUNDLE, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exported = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no export line: ${output}`)), 15_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = /^ *export PANDAPON_MOCK_URL=(\S+)/m.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
  });
  return { child, exported, output: () => output };
}

/** Runs one README line in a shell, in an empty directory, with only the mock URL set (no credentials). */
async function runLine(line: string, mockUrl: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? "", PANDAPON_MOCK_URL: mockUrl };
  const child = spawn("sh", ["-c", line], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("the README on a port other than 4010", () => {
  it("finds the commands it runs: the sign lines, a warehouse operation among them, and verify against the mock", () => {
    const sign = readCommands("Calling the mock by hand");
    expect(sign.length).toBeGreaterThanOrEqual(3);
    for (const line of sign) expect(line).toMatch(/ sign (pandapon|top) .* --curl \| sh$/);
    expect(sign.some((line) => line.includes("/open/pp/logistics/"))).toBe(true);
    expect(readCommands("Contract tests").filter((line) => line.includes(" verify --demo") && !line.includes("--base-url"))).toHaveLength(1);
  });

  it("serve prints the export line; the README's sign commands get answers and its verify passes, all on that port", async () => {
    const serve = startServe();
    try {
      const mockUrl = await serve.exported;
      expect(mockUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(mockUrl).not.toMatch(/:4010$/);
      expect(serve.output()).toContain(`listening on ${mockUrl}`);
      const dir = mkdtempSync(join(tmpdir(), "readme-"));

      for (const line of readCommands("Calling the mock by hand")) {
        const result = await runLine(line, mockUrl, dir);
        expect(result.code, `${line}\n${result.stderr}`).toBe(0);
        const answer = JSON.parse(result.stdout) as Record<string, unknown>;
        if (line.includes(" sign top ")) {
          expect(Object.keys(answer), result.stdout).toEqual([expect.stringMatching(/^pc_\w+_response$/)]);
        } else {
          expect(answer, result.stdout).toMatchObject({ code: 200, msg: "成功" });
        }
      }

      const [verify] = readCommands("Contract tests").filter((line) => line.includes(" verify --demo") && !line.includes("--base-url"));
      const verified = await runLine(verify!, mockUrl, dir);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toContain(`Verifying ${mockUrl} (TOP gateway ${mockUrl}/router/rest)`);
      expect(verified.stdout).toMatch(/\d+ operations: \d+ passed.*, 0 failed, 0 skipped; .*\. OK/);
      if (verify!.includes("--junit junit.xml")) expect(existsSync(join(dir, "junit.xml"))).toBe(true);

      // The client example, as a package user runs it (the package imports itself by name from its root).
      const [example] = [...readSection("Contract tests").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
      expect(example).toContain("process.env.PANDAPON_MOCK_URL");
      const script = `${example}\nconsole.log(JSON.stringify({ status, refundId: data.refundId, failures: violations.filter((v) => v.severity === "error") }));`;
      const client = await runLine(`node --input-type=module -e '${script.replace(/'/g, `'\\''`)}'`, mockUrl, PACKAGE_ROOT);
      expect(client.code, client.stderr).toBe(0);
      expect(JSON.parse(client.stdout)).toEqual({ status: 200, refundId: "TQ8651493722961198", failures: [] });
    } finally {
      serve.child.kill("SIGTERM");
      await once(serve.child, "exit");
    }
  }, 60_000);
});
