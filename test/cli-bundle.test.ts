import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { DEFAULT_SCHEME } from "../signing/pandapon-scheme.js";
import { BUNDLE, sendDemoRefundInfo, startBundledServe as startServe } from "./helpers/start-bundled-serve.js";

describe("the bundled CLI", () => {
  it("serves signed PandaPon requests, prints the demo credentials, and exits 0 on SIGTERM", async () => {
    const { child, ready, output } = startServe([]);
    try {
      const url = await ready;
      expect(output()).toContain(`access-key ${DEMO_PANDAPON.accessKey}  secret ${DEMO_PANDAPON.secret}  user-id ${DEMO_PANDAPON.userId}`);
      expect(output()).toContain("TOP app_key 12345678  secret helloworld");
      expect(output()).toMatch(/1688 after-sales: .*POST \/alibaba\/refund\/info/);
      expect(output()).toMatch(/TOP 采购宝 after-sales: .*taobao\.pc\.refund\.detail/);
      expect((await fetch(`${url}/__mock/health`)).status).toBe(200);
      expect(await sendDemoRefundInfo(url, DEFAULT_SCHEME)).toMatchObject({ code: 200, data: { refundId: "TQ77" } });
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("does not print secrets it was given through the environment", async () => {
    const configured = spawn(process.execPath, [BUNDLE, "serve", "--port", "0"], {
      env: { ...process.env, PANDAPON_MOCK_KEYS: JSON.stringify([{ accessKey: "real-key", secret: "real-secret-value" }]), PANDAPON_MOCK_TOP_APPS: JSON.stringify([{ appKey: "9", secret: "top-real-secret" }]) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    configured.stdout.on("data", (c: Buffer) => (text += c.toString()));
    await new Promise<void>((resolve) => configured.stdout.on("data", () => text.includes("secrets not shown") && resolve()));
    configured.kill("SIGTERM");
    await once(configured, "exit");
    expect(text).toContain("Using 1 configured PandaPon key(s) and 1 TOP app(s) (secrets not shown).");
    expect(text).not.toMatch(/real-secret-value|top-real-secret/);
  });

  it("refuses a bad setting or a busy port in one line with exit code 2", async () => {
    const run = async (args: string[], env: Record<string, string> = {}) => {
      const child = spawn(process.execPath, [BUNDLE, "serve", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      const [code] = await once(child, "exit");
      return { code, err };
    };
    const bad = await run([], { PORT: "eighty" });
    expect(bad).toEqual({ code: 2, err: 'pandapon-mock serve: Invalid PORT="eighty": use a non-negative number.\n' });
    const { child, ready } = startServe([]);
    try {
      const port = new URL(await ready).port;
      const busy = await run(["--port", port]);
      expect(busy).toEqual({ code: 2, err: "pandapon-mock serve: the port is in use: pass --port (or PORT) with a free one\n" });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("prints package.json's version with --version", () => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const result = spawnSync(process.execPath, [BUNDLE, flag], { encoding: "utf8" });
      expect(result).toMatchObject({ status: 0, stdout: `${version}\n` });
    }
  });

  it("shows the defaults in serve --help: port 4010, host 127.0.0.1, seed 1", () => {
    const help = spawnSync(process.execPath, [BUNDLE, "serve", "--help"], { encoding: "utf8" }).stdout.replace(/\s+/g, " ");
    expect(help).toContain("--port <port> port (env PORT; default 4010)");
    expect(help).toContain("--host <host> address to listen on (env HOST; default 127.0.0.1)");
    expect(help).toContain("(env PANDAPON_MOCK_SEED; default 1)");
  });

  it("lists every subcommand in its help", async () => {
    const child = spawn(process.execPath, [BUNDLE, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    await once(child, "exit");
    for (const command of ["serve", "operations", "verify", "check", "sign", "identify-signature", "openapi"]) expect(text).toContain(command);
  });
});
