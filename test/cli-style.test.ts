import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createProgram } from "../cli/create-program.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { createApp } from "../mock/app.js";
import { startServer } from "../mock/start-server.js";
import type { SignatureScheme } from "../signing/pandapon-scheme.js";
import { DEFAULT_SCHEME, describeScheme, signPandapon } from "../signing/pandapon-scheme.js";
import { verifyTopSignature } from "../signing/verify.js";
import { runProgram } from "./helpers/command-runner.js";
import type { TestIoOptions } from "./helpers/create-test-io.js";
import { createTestIo } from "./helpers/create-test-io.js";
import { sendDemoRefundInfo, startBundledServe } from "./helpers/start-bundled-serve.js";

const EXAMPLE_REQUEST = join(PACKAGE_ROOT, "schemas/examples/alibaba-refund-info/request.documented.json");

/** The whole `pandapon-mock` command line in process, with a fake outside world. */
function setup(options: TestIoOptions = {}) {
  const test = createTestIo(options);
  return { files: test.files, run: (...args: string[]) => runProgram(createProgram(test.io), test, args) };
}

function createTempDir(): string {
  return mkdtempSync(join(tmpdir(), "cli-style-"));
}

describe("bad input, in every command", () => {
  const notADir = join(createTempDir(), "file");
  writeFileSync(notADir, "");
  const cases: Array<{ args: string[]; env?: Record<string, string>; message: string }> = [
    { args: ["serve", "--port", "eighty"], message: 'pandapon-mock serve: --port must be a whole number, not "eighty".' },
    { args: ["serve", "--scheme", "{oops"], message: "pandapon-mock serve: Failed to read --scheme: it is not JSON" },
    { args: ["serve", "--port", "0", "--window", "soon"], message: 'pandapon-mock serve: --window must be a non-negative number, not "soon".' },
    { args: ["serve", "--port", "0", "--top-window", "-1"], message: 'pandapon-mock serve: --top-window must be a non-negative number, not "-1".' },
    { args: ["serve", "--port", "0", "--nonce-memory-bytes", "lots"], message: 'pandapon-mock serve: --nonce-memory-bytes must be a whole number, not "lots".' },
    { args: ["serve"], env: { PORT: "eighty" }, message: 'pandapon-mock serve: Invalid PORT="eighty": use a non-negative number.' },
    { args: ["serve", "--port", "0", "--max-pushes", "many"], message: 'pandapon-mock serve: --max-pushes must be a whole number, not "many".' },
    { args: ["serve", "--port", "0", "--state", "memory", "--max-entities", "0"], message: "pandapon-mock serve: Invalid maxEntities: 0 is not a whole number ≥ 1 (flag --max-entities, environment PANDAPON_MOCK_MAX_ENTITIES)." },
    { args: ["serve", "--port", "0"], env: { PANDAPON_MOCK_MAX_PUSH_HISTORY_BYTES: "64MiB" }, message: 'pandapon-mock serve: Invalid PANDAPON_MOCK_MAX_PUSH_HISTORY_BYTES="64MiB": use a non-negative number.' },
    { args: ["verify", "--timeout", "soon"], message: '--timeout must be a whole number, not "soon".' },
    { args: ["verify", "--scheme", '{"algorithm":"crc32"}'], message: "Invalid signature scheme: algorithm must be one of" },
    { args: ["verify", "--only", "/alibaba/refund/nope"], message: 'Unknown operation "/alibaba/refund/nope"' },
    { args: ["check", "/alibaba/refund/nope", EXAMPLE_REQUEST], message: 'Unknown operation "/alibaba/refund/nope"' },
    { args: ["check", "/alibaba/refund/info", "missing.json"], message: 'Failed to read "missing.json": ENOENT' },
    { args: ["check", "/alibaba/refund/info", EXAMPLE_REQUEST, "--direction", "up"], message: '--direction must be "request" or "response", not "up".' },
    { args: ["sign", "pandapon", "alibaba/refund/info"], message: 'Failed to sign "alibaba/refund/info": the path must start with "/"' },
    { args: ["sign", "pandapon", "/x", "--scheme", "[1]"], message: "Failed to read --scheme: it must be a JSON object" },
    { args: ["sign", "top", "taobao.pc.refund.detail", "--json", "[1]"], message: "Failed to read --json: it must be an object of parameters" },
    { args: ["identify-signature", "--access-key", "a"], env: { PANDAPON_SECRET: "s" }, message: "Failed to identify the signature: timestamp, signature missing" },
    { args: ["openapi", "--only", "/nope"], message: 'Failed to export "/nope" to OpenAPI' },
    { args: ["openapi", "--out", join(notADir, "openapi.json")], message: `Failed to write "${join(notADir, "openapi.json")}": ` },
    { args: ["entities", "--base-url", "ftp://mock"], message: '--base-url must be an http(s) URL such as http://127.0.0.1:4010, not "ftp://mock".' },
    { args: ["entity", "alibaba-refund", "TQ1"], env: { PANDAPON_MOCK_URL: "mock:4010" }, message: '--base-url must be an http(s) URL such as http://127.0.0.1:4010, not "mock:4010".' },
    { args: ["act", "alibaba-refund", "TQ1", "close", "--input", "{oops"], message: "Failed to read --input: it is not JSON" },
    { args: ["clock", "--advance", "soon"], message: '--advance must be a non-negative number, not "soon".' },
    { args: ["reset", "--base-url", "http://127.0.0.1:1"], message: 'Failed to call "POST http://127.0.0.1:1/__mock/reset": ' },
    { args: ["verify-callbacks", "--base-url", "http://127.0.0.1:1"], message: 'Failed to call "POST http://127.0.0.1:1/__mock/callback-urls/verify": ' },
    { args: ["proxy", "--target", "ftp://api"], message: '--target must be an http or https URL, not "ftp://api".' },
    { args: ["check-recordings", join(notADir, "recordings")], message: `Failed to read recordings from "${join(notADir, "recordings")}": no such folder.` },
    { args: ["push", "TAOBAO_ORDER_STATUS_MODIFY", "--to", "ftp://receiver"], message: '--to: "ftp://receiver" is not an http or https URL.' },
    { args: ["push", "TAOBAO_ORDER_STATUS_MODIFY", "--to", "http://127.0.0.1:1/", "--entity", "taobao-order"], message: "--entity must be <type>/<id>" },
  ];

  it.each(cases)("exits 2 with one line for $args", async ({ args, env, message }) => {
    const result = await setup({ env }).run(...args);
    expect(result.exitCode).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toMatch(/^[^\n]+\n$/);
    expect(result.err.startsWith(message), result.err).toBe(true);
  });

  it("covers every command", () => {
    const names = createProgram(createTestIo().io).commands.map((command) => command.name());
    expect(new Set(cases.map((c) => c.args[0]))).toEqual(new Set(names.filter((name) => name !== "operations")));
  });

  const commands = ["serve", "operations", "verify", "check", "sign pandapon", "sign top", "identify-signature", "openapi", "entities", "clock", "verify-callbacks", "reset"];

  it.each(commands)("exits 2 on an option %s does not know, naming it first, then its usage", async (command) => {
    const result = await setup().run(...command.split(" "), "--bogus");
    expect(result.exitCode).toBe(2);
    const [first, ...rest] = result.err.split("\n");
    expect(first).toBe("error: unknown option '--bogus'");
    expect(rest.join("\n")).toContain(`Usage: pandapon-mock ${command} [options]`);
    expect(result.out).toBe("");
  });

  it("exits 2 on a command it does not know, and 0 with --help, through the same output", async () => {
    const { run } = setup();
    expect(await run("bogus")).toMatchObject({ exitCode: 2, err: expect.stringMatching(/^error: unknown command 'bogus'\n/) });
    expect(await run("operations", "--help")).toMatchObject({ exitCode: 0, out: expect.stringContaining("Usage: pandapon-mock operations [options]") });
  });
});

/** A scheme no default would reproduce. */
const SCHEME: SignatureScheme = { ...DEFAULT_SCHEME, algorithm: "hmac-sha256", secretPlacement: "none", case: "lower" };

/** `--scheme` as JSON text of the scheme itself, as identify-signature prints it, and as a file (also `@file`). */
function createSchemeForms(): Array<[string, string]> {
  const file = join(createTempDir(), "scheme.json");
  writeFileSync(file, JSON.stringify({ signatureScheme: SCHEME }, null, 2));
  const { algorithm, secretPlacement, case: letterCase } = SCHEME;
  return [
    ["the scheme itself", JSON.stringify({ algorithm, secretPlacement, case: letterCase })],
    ["identify-signature's output", JSON.stringify({ signatureScheme: SCHEME })],
    ["a file", file],
    ["@file", `@${file}`],
  ];
}

describe("--scheme, one reader for sign, verify and serve", () => {
  const forms = createSchemeForms();

  it.each(forms)("sign pandapon signs with the scheme given as %s", async (_, value) => {
    const result = await setup().run("sign", "pandapon", "/alibaba/refund/info", "--scheme", value);
    expect(result.exitCode, result.err).toBe(0);
    const headers = Object.fromEntries(result.out.trim().split("\n").map((line) => line.split(": ") as [string, string]));
    const { signature, ...signed } = headers;
    expect(signature).toBe(signPandapon(SCHEME, { headers: signed }, DEMO_PANDAPON.secret).signature);
  });

  it.each(forms)("verify signs with the scheme given as %s, and a mock checking that scheme answers", async (_, value) => {
    const running = await startServer(createApp({ pandapon: { scheme: SCHEME } }), 0, "127.0.0.1");
    try {
      const args = ["verify", "--base-url", running.url, "--demo", "--only", "/alibaba/refund/info"];
      const withScheme = await setup().run(...args, "--scheme", value);
      expect(withScheme.exitCode, withScheme.out).toBe(0);
      const without = await setup().run(...args);
      expect(without.exitCode).toBe(1);
      expect(without.out).toContain("40104");
    } finally {
      await running.close();
    }
  });

  it.each(forms)("serve checks the scheme given as %s (the built CLI)", async (_, value) => {
    const { child, ready, output } = startBundledServe(["--scheme", value]);
    try {
      const url = await ready;
      expect(output()).toContain(`PandaPon signature scheme: ${describeScheme(SCHEME)}`);
      expect(await sendDemoRefundInfo(url, SCHEME)).toMatchObject({ code: 200, data: { refundId: "TQ77" } });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});

describe("the TOP secret: --top-secret in sign and verify", () => {
  const TOP_APP = { appKey: "23456789", secret: "top-flag-secret" };
  const TOP_ARGS = ["sign", "top", "taobao.pc.refund.detail", "--app-key", TOP_APP.appKey, "--timestamp", "2024-05-14 14:59:37"];

  it("signs sign top with --top-secret, and verify passes against a mock that knows only that secret", async () => {
    const signed = await setup().run(...TOP_ARGS, "--top-secret", TOP_APP.secret);
    expect(signed).toMatchObject({ exitCode: 0, err: "" });
    expect(verifyTopSignature(Object.fromEntries(new URLSearchParams(signed.out.trim())), TOP_APP.secret, "md5")).toEqual({ ok: true });
    const running = await startServer(createApp({ top: { apps: [TOP_APP] } }), 0, "127.0.0.1");
    try {
      const args = ["verify", "--base-url", running.url, "--only", "taobao.pc.refund.detail", "--app-key", TOP_APP.appKey];
      const verified = await setup().run(...args, "--top-secret", TOP_APP.secret);
      expect(verified.exitCode, verified.out).toBe(0);
      expect(verified.out).not.toContain(TOP_APP.secret);
      expect((await setup().run(...args, "--top-secret", "not-the-secret")).exitCode).toBe(1);
    } finally {
      await running.close();
    }
  });

  it("still takes sign top's old --secret and --session, with a note on stderr and the same output", async () => {
    const current = await setup().run(...TOP_ARGS, "--top-secret", TOP_APP.secret, "--top-session", "s1");
    const old = await setup().run(...TOP_ARGS, "--secret", TOP_APP.secret, "--session", "s1");
    expect(old.exitCode).toBe(0);
    expect(old.out).toBe(current.out);
    expect(new URLSearchParams(old.out.trim()).get("session")).toBe("s1");
    expect(old.err.split("\n")).toEqual([
      "Note: --secret is the old name of --top-secret; use --top-secret (--secret will be removed).",
      "Note: --session is the old name of --top-session; use --top-session (--session will be removed).",
      "",
    ]);
    expect(old.err).not.toContain(TOP_APP.secret);
  });

  it("lets --top-secret win over the old --secret when both are given, and says so", async () => {
    const both = await setup().run(...TOP_ARGS, "--top-secret", TOP_APP.secret, "--secret", "old-secret");
    expect(verifyTopSignature(Object.fromEntries(new URLSearchParams(both.out.trim())), TOP_APP.secret, "md5")).toEqual({ ok: true });
    expect(both.err).toBe("Note: --secret is the old name of --top-secret, which is also given and wins; use --top-secret (--secret will be removed).\n");
  });

  it("shows --top-secret in the help of sign top and verify, and not sign top's old names", async () => {
    const signTop = (await setup().run("sign", "top", "--help")).out;
    const verify = (await setup().run("verify", "--help")).out;
    expect([signTop, verify]).toEqual([expect.stringContaining("--top-secret <secret>"), expect.stringContaining("--top-secret <secret>")]);
    expect(signTop).not.toMatch(/--secret\b|--session\b/);
  });
});
