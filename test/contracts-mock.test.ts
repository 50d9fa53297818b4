import { mkdtempSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { runVerify } from "../cli/commands/verify.js";
import { createTestIo } from "./helpers/create-test-io.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { findRequestExample } from "../verify/find-request-example.js";
import { runContracts } from "../verify/run-contracts.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { createApp } from "../mock/app.js";
import { getCatalog } from "../schemas/catalog.js";

/** The lead's mock, listening on 127.0.0.1 (ephemeral port), answering with schema-checked data. */
async function setup() {
  const server: Server = createServer(createApp({ validateResponses: true }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const catalog = getCatalog();
  const callable = catalog.operations.filter((op) => op.meta.api !== "callback");
  const withExample = callable.filter((op) => findRequestExample(op).ok).map((op) => op.meta.name);
  const run = (format: "json" | "xml") => {
    const pandapon = createPandaponClient({ baseUrl, ...DEMO_PANDAPON, catalog });
    const top = createTopClient({ gateway: baseUrl, ...DEMO_TOP, catalog, format });
    return runContracts({ catalog, createClient: (op) => (op.meta.api === "top" ? top : pandapon) });
  };
  const close = () => new Promise((resolve) => server.close(resolve));
  return { baseUrl, withExample, callable, run, close };
}

describe("the runner against the mock", () => {
  it.each(["json", "xml"] as const)("passes every operation that has an example request (TOP answers in %s)", async (format) => {
    const { run, withExample, callable, close } = await setup();
    try {
      const result = await run(format);
      const failing = result.results.filter((r) => r.outcome === "failed" || r.outcome === "error");
      expect(failing.map((r) => `${r.operation}: ${r.reason}`)).toEqual([]);
      expect(result.results.filter((r) => r.outcome === "passed").map((r) => r.operation)).toEqual(withExample);
      expect(result.summary.total).toBe(callable.length);
      expect(withExample).toEqual(expect.arrayContaining(["/alibaba/refund/info", "/v2/alibaba/refund/goods/return", "taobao.pc.refund.detail"]));
      const drift = result.results.flatMap((r) => r.responseViolations.filter((v) => v.rule === "drift").map((v) => `${r.operation} ${v.path}`));
      expect(drift).toEqual([]);
      expect(result.ok).toBe(true);
    } finally {
      await close();
    }
  });

  it("exits 0 from `verify --demo` on the seed operations", async () => {
    const { baseUrl, close } = await setup();
    try {
      let stdout = "";
      const code = await runVerify(
        { baseUrl, demo: true, only: ["/alibaba/refund/info", "/v2/alibaba/refund/goods/return", "taobao.pc.refund.detail"], format: "xml" },
        { ...createTestIo().io, out: (t) => void (stdout += t), err: (t) => void (stdout += t) },
      );
      expect(stdout).toContain("credentials: PandaPon demo, TOP demo");
      expect(stdout).toMatch(/3 operations: 3 passed.*, 0 failed, 0 skipped; \d+ warnings?; \d+ ms\. OK/);
      expect(code).toBe(0);
    } finally {
      await close();
    }
  });

  it("passes every PandaPon and TOP operation with `verify --demo --generated-requests`, where examples are missing too", async () => {
    const { baseUrl, callable, withExample, close } = await setup();
    try {
      let stdout = "";
      const report = join(mkdtempSync(join(tmpdir(), "verify-")), "results.json");
      const code = await runVerify(
        { baseUrl, demo: true, generatedRequests: true, format: "json", json: report },
        { ...createTestIo().io, out: (t) => void (stdout += t), err: (t) => void (stdout += t) },
      );
      expect(callable.length).toBeGreaterThan(withExample.length);
      const sources = (JSON.parse(readFileSync(report, "utf8")) as { results: Array<{ requestSource?: string }> }).results.map((r) => r.requestSource);
      expect(sources.filter((s) => s === "generated (no documented example)")).toHaveLength(callable.length - withExample.length);
      expect(stdout).toMatch(new RegExp(`${callable.length} operations: ${callable.length} passed.*, 0 failed, 0 skipped`));
      expect(code).toBe(0);
    } finally {
      await close();
    }
  });
});

describe("verify against a stateful mock", () => {
  it("reports the mock's refusals of actions on entities as REFUSED (not failed), passes views, and still fails a real error", async () => {
    const mock = await startStatefulMock();
    try {
      let stdout = "";
      const report = join(mkdtempSync(join(tmpdir(), "verify-")), "results.json");
      const junit = join(mkdtempSync(join(tmpdir(), "verify-")), "junit.xml");
      // The documented example of a return names a refund that a born refund's state may not allow; create takes Apifox placeholders.
      const only = ["/alibaba/refund/info", "/alibaba/refund/detail/create", "/v2/alibaba/refund/goods/return", "taobao.pc.refund.detail", "taobao.pc.refund.return"];
      const code = await runVerify({ baseUrl: mock.url, demo: true, only, format: "json", json: report, junit }, { ...createTestIo().io, out: (t) => void (stdout += t), err: (t) => void (stdout += t) });
      const results = (JSON.parse(readFileSync(report, "utf8")) as { results: Array<{ operation: string; outcome: string; reason?: string }> }).results;
      const outcome = Object.fromEntries(results.map((r) => [r.operation, r.outcome]));
      expect(outcome["/alibaba/refund/info"]).toBe("passed");
      expect(outcome["taobao.pc.refund.detail"]).toBe("passed");
      expect(outcome["/alibaba/refund/detail/create"]).toBe("refused");
      expect(results.filter((r) => r.outcome === "refused").every((r) => /^refused by the entity's state or rules: (40003|40901|15)/.test(r.reason ?? ""))).toBe(true);
      expect(stdout).toMatch(/REFUSED +POST \/alibaba\/refund\/detail\/create/);
      expect(stdout).toMatch(/refused by entity state/);
      expect(readFileSync(junit, "utf8")).toMatch(/<skipped message="refused by the entity&apos;s state or rules: 40003/);
      expect(code).toBe(0);
      // An error that is not a refusal of an entity still fails the run.
      const denied = await runVerify({ baseUrl: mock.url, accessKey: "0".repeat(32), secret: "wrong", userId: "1", only: ["/alibaba/refund/detail/create"], format: "json" }, createTestIo().io);
      expect(denied).toBe(1);
    } finally {
      await mock.stop();
    }
  });
});
