import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { describe, expect, it } from "vitest";
import { registerVerify, runVerify } from "../cli/commands/verify.js";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { findRequestExample } from "../verify/find-request-example.js";
import type { ContractRun, OperationResult } from "../verify/run-contracts.js";
import { runContracts } from "../verify/run-contracts.js";
import { parseXmlTree } from "../checks/parse-top-xml.js";
import { getCatalog } from "../schemas/catalog.js";
import { DEFAULT_SCHEME } from "../signing/pandapon-scheme.js";
import { verifyPandaponSignature, verifyTopSignature } from "../signing/verify.js";
import { createCommandRunner } from "./helpers/command-runner.js";
import { createTestIo } from "./helpers/create-test-io.js";

const SEEDS = ["/alibaba/refund/info", "/v2/alibaba/refund/goods/return", "taobao.pc.refund.detail"];
const CREDENTIALS = { accessKey: "ak-live-7d1c9e", secret: "s3cret-do-not-print", userId: "2100007341207" };
const TOP_CREDENTIALS = { appKey: "88776655", secret: "top-s3cret-do-not-print" };
const ENV = {
  PANDAPON_ACCESS_KEY: CREDENTIALS.accessKey,
  PANDAPON_SECRET: CREDENTIALS.secret,
  PANDAPON_USER_ID: CREDENTIALS.userId,
  TOP_APP_KEY: TOP_CREDENTIALS.appKey,
  TOP_SECRET: TOP_CREDENTIALS.secret,
};

/** Answers of the drifting server, by operation name: [HTTP status, raw body]. */
type Answers = Record<string, [number, string]>;

const DRIFTED: Answers = {
  // envelope member added, refundId renamed, applyPayment's type changed, a 19-digit id as a JSON number
  "/alibaba/refund/info": [
    200,
    `{"requestId":"r1","code":200,"developId":"1014533973088404335","msg":"成功","traceId":"t-1",` +
      `"data":{"refundID":"TQ36706338027991577","applyPayment":"12.50","orderId":2123456789012345678}}`,
  ],
  // the API's error envelope
  "/v2/alibaba/refund/goods/return": [400, `{"requestId":"r2","code":40012,"developId":null,"msg":"退款单不存在","data":null}`],
  // success's type changed, a string id sent as a 19-digit number, a new member
  "taobao.pc.refund.detail": [
    200,
    `{"pc_refund_detail_response":{"request_id":"x1","result":{"success":"true","refund_dispute_order_resp":` +
      `{"biz_order_id":2123456789012345678,"dispute_status":5,"seller_note":"n"}}}}`,
  ],
};

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) that checks the signatures the clients send
 * (docs/protocols.md) and answers each seed operation with a scripted, deliberately drifted payload.
 */
async function setup(answers: Answers = DRIFTED) {
  const received: Array<{ operation: string; payload: unknown }> = [];
  const app = express();
  app.post("/router/rest", express.urlencoded({ extended: false }), (req, res) => {
    const params = req.body as Record<string, string>;
    received.push({ operation: params.method!, payload: params });
    if (!verifyTopSignature(params, TOP_CREDENTIALS.secret, "md5").ok) {
      res.json({ error_response: { code: 25, msg: "Invalid signature", request_id: "x0" } });
      return;
    }
    const [status, body] = answers[params.method!] ?? [200, `{"error_response":{"code":22,"msg":"Invalid method"}}`];
    res.status(status).type("application/json").send(body);
  });
  app.use(express.text({ type: () => true }), (req, res) => {
    const headers = req.headers as Record<string, string | undefined>;
    received.push({ operation: req.path, payload: JSON.parse(String(req.body)) });
    const signed = verifyPandaponSignature(DEFAULT_SCHEME, { headers }, CREDENTIALS.secret, headers.signature ?? "");
    if (!signed.ok || headers["access-key"] !== CREDENTIALS.accessKey || headers["user-id"] !== CREDENTIALS.userId) {
      res.status(401).json({ code: 401, msg: "Invalid signature", data: null });
      return;
    }
    const [status, body] = answers[req.path] ?? [404, `{"code":404,"msg":"Unknown operation","data":null}`];
    res.status(status).type("application/json").send(body);
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const catalog = getCatalog();
  const pandapon = createPandaponClient({ baseUrl, ...CREDENTIALS, catalog, retryDelayMs: 1 });
  const top = createTopClient({ gateway: baseUrl, ...TOP_CREDENTIALS, catalog, retryDelayMs: 1 });
  const run = (options: { only?: string[]; fixturesDir?: string; examplesDir?: string; strict?: boolean } = {}) =>
    runContracts({ catalog, createClient: (op) => (op.meta.api === "top" ? top : pandapon), only: SEEDS, ...options });
  const close = () => new Promise((resolve) => server.close(resolve));
  return { baseUrl, received, run, close };
}

async function withServer<T>(answers: Answers | undefined, test: (server: Awaited<ReturnType<typeof setup>>) => Promise<T>): Promise<T> {
  const server = await setup(answers);
  try {
    return await test(server);
  } finally {
    await server.close();
  }
}

function resultOf(run: ContractRun, operation: string): OperationResult {
  const found = run.results.find((r) => r.operation === operation);
  if (!found) throw new Error(`no result for ${operation}`);
  return found;
}

function toKeys(result: OperationResult): string[] {
  return result.responseViolations.map((v) => `${v.path} ${v.rule} ${v.severity}`);
}

/** A command's outside world with this environment (and transport), its output recorded. */
function createOutput(env: Record<string, string> = ENV, fetch?: typeof globalThis.fetch) {
  const test = createTestIo({ env, fetch });
  return {
    io: test.io,
    get stdout() {
      return test.out;
    },
    get stderr() {
      return test.err;
    },
  };
}

describe("runContracts against a drifting server", () => {
  it("names exactly the drifted paths of each operation", () =>
    withServer(DRIFTED, async ({ run }) => {
      const result = await run();
      expect(toKeys(resultOf(result, "/alibaba/refund/info"))).toEqual([
        "data.applyPayment type error",
        "traceId drift warning",
        "data.refundID drift warning",
        "data.orderId precision warning",
      ]);
      const at = "pc_refund_detail_response.result";
      expect(toKeys(resultOf(result, "taobao.pc.refund.detail"))).toEqual([
        `${at}.success type error`,
        `${at}.refund_dispute_order_resp.biz_order_id type error`,
        `${at}.refund_dispute_order_resp.seller_note drift warning`,
        `${at}.refund_dispute_order_resp.biz_order_id precision warning`,
      ]);
      expect(result.results.map((r) => r.outcome)).toEqual(["failed", "failed", "failed"]);
      expect(result.ok).toBe(false);
    }));

  it("shows the code and msg of an error envelope and marks the operation failed", () =>
    withServer(DRIFTED, async ({ run }) => {
      const result = resultOf(await run(), "/v2/alibaba/refund/goods/return");
      expect(result).toMatchObject({ outcome: "failed", status: 400, apiError: { code: "40012", msg: "退款单不存在" } });
      expect(result.reason).toBe("the API answered with error 40012: 退款单不存在");
      expect(toKeys(result)).toEqual(["code api-error error"]);
    }));

  it("passes an answer that only drifts, with its warnings", () =>
    withServer(
      { "/alibaba/refund/info": [200, `{"code":200,"msg":"成功","data":{"refundId":"TQ1","refundChannel":"alipay"}}`] },
      async ({ run }) => {
        const result = await run({ only: ["/alibaba/refund/info"] });
        expect(result.results[0]).toMatchObject({ outcome: "passed", warnings: 1 });
        expect(toKeys(result.results[0]!)).toEqual(["data.refundChannel drift warning"]);
        expect(result.ok).toBe(true);
        const strict = await run({ only: ["/alibaba/refund/info"], strict: true });
        expect(strict.results[0]!.outcome).toBe("failed");
      },
    ));

  it("signs every request the way the server verifies it, sending the documented examples", () =>
    withServer(DRIFTED, async ({ run, received }) => {
      await run();
      expect(received.map((r) => r.operation)).toEqual(SEEDS);
      expect(received[1]!.payload).toMatchObject({ refundId: "TQ36706338027991577", logisticsCompanyNo: "ZTO" });
      expect((received[2]!.payload as Record<string, string>).refund_detail_order_req).toBe(`{"dispute_id":"10000001","buyer_id":10000001}`);
    }));

  it("sends the user's fixture instead of the documented example, with every digit of its ids", () =>
    withServer(DRIFTED, async ({ run, received }) => {
      const dir = mkdtempSync(join(tmpdir(), "contracts-fixtures-"));
      writeFileSync(join(dir, "alibaba-refund-info.json"), `{"refundId":"TQ99887766554433221","orderId":2123456789012345678}`);
      const result = await run({ only: ["/alibaba/refund/info"], fixturesDir: dir });
      expect(result.results[0]!.requestSource).toBe("fixtures/alibaba-refund-info.json");
      expect(result.results[0]!.requestViolations.map((v) => `${v.path} ${v.rule}`)).toEqual(["orderId drift", "orderId precision"]);
      expect(received[0]!.payload).toEqual({ refundId: "TQ99887766554433221", orderId: 2123456789012345678 });
    }));

  it("skips an operation without a request example, and a run that verifies nothing does not pass", () =>
    withServer(DRIFTED, async ({ run, received }) => {
      const empty = mkdtempSync(join(tmpdir(), "contracts-examples-"));
      const result = await run({ only: ["/alibaba/refund/info"], examplesDir: empty });
      expect(result.results[0]).toMatchObject({
        outcome: "skipped",
        reason: "no example request; give one with --fixtures <dir> (file <dir>/alibaba-refund-info.json), or send a generated one with --generated-requests (for the mock)",
      });
      expect(received).toEqual([]);
      expect(result.summary).toMatchObject({ skipped: 1, failed: 0 });
      expect(result.ok).toBe(false);
    }));

  it("reports a server that is gone as an error after the bounded retries", async () => {
    const { baseUrl, close, run } = await setup();
    await close();
    const result = await run({ only: ["/alibaba/refund/info"] });
    expect(result.results[0]!.outcome).toBe("error");
    expect(result.results[0]!.reason).toMatch(/^Failed to call "POST http:\/\/127\.0\.0\.1:\d+\/alibaba\/refund\/info": .*ECONNREFUSED.* \(3 attempts\)\.$/);
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("pandapon-mock verify against a drifting server", () => {
  it("exits 1, prints one line per operation and a summary, and writes JSON and JUnit", () =>
    withServer(DRIFTED, async ({ baseUrl }) => {
      const dir = mkdtempSync(join(tmpdir(), "contracts-reports-"));
      const out = createOutput();
      const code = await runVerify(
        { baseUrl, only: SEEDS, json: join(dir, "out", "run.json"), junit: join(dir, "out", "junit.xml") },
        out.io,
      );
      expect(code).toBe(1);
      const lines = out.stdout.split("\n");
      expect(lines.filter((l) => /^(PASS|WARN|FAIL|ERROR|SKIP)/.test(l)).map((l) => l.split(/\s+/).slice(0, 3).join(" "))).toEqual([
        "FAIL POST /alibaba/refund/info",
        "FAIL POST /v2/alibaba/refund/goods/return",
        "FAIL taobao.pc.refund.detail HTTP",
      ]);
      expect(out.stdout).toContain("        ✗ data.applyPayment  [type] must be integer or null");
      expect(out.stdout).toContain("— the API answered with error 40012: 退款单不存在");
      expect(lines.at(-2)).toMatch(/^3 operations: 0 passed, 3 failed, 0 skipped; 5 warnings; \d+ ms\. FAILED$/);
      const json = JSON.parse(readFileSync(join(dir, "out", "run.json"), "utf8")) as { ok: boolean; summary: object; baseUrl: string };
      expect(json).toMatchObject({ ok: false, baseUrl, summary: { total: 3, failed: 3, warnings: 5 } });
      expect(readFileSync(join(dir, "out", "junit.xml"), "utf8")).toContain("<testsuites");
    }));

  it("exits 0 when the answers only drift", () =>
    withServer(
      { "/alibaba/refund/info": [200, `{"code":200,"msg":"成功","data":{"refundId":"TQ1","refundChannel":"alipay"}}`] },
      async ({ baseUrl }) => {
        const out = createOutput();
        expect(await runVerify({ baseUrl, only: ["/alibaba/refund/info"] }, out.io)).toBe(0);
        expect(out.stdout).toMatch(/\nWARN  +POST \/alibaba\/refund\/info  HTTP 200  \d+ ms  1 warning\n/);
        expect(out.stdout).toMatch(/1 operation: 1 passed \(1 with warnings\), 0 failed, 0 skipped; 1 warning; \d+ ms\. OK\n$/);
      },
    ));

  it("never prints the credentials, even when the server echoes them", () =>
    withServer(
      {
        "/alibaba/refund/info": [401, `{"code":401,"msg":"bad key ${CREDENTIALS.accessKey} for secret ${CREDENTIALS.secret}","data":null}`],
        "taobao.pc.refund.detail": [200, `{"error_response":{"code":29,"msg":"Invalid app_key ${TOP_CREDENTIALS.appKey}","sub_msg":"${TOP_CREDENTIALS.secret}"}}`],
      },
      async ({ baseUrl }) => {
        const dir = mkdtempSync(join(tmpdir(), "contracts-secrets-"));
        const out = createOutput();
        const files = { json: join(dir, "run.json"), junit: join(dir, "junit.xml") };
        const code = await runVerify({ baseUrl, only: ["/alibaba/refund/info", "taobao.pc.refund.detail"], ...files }, out.io);
        expect(code).toBe(1);
        const everything = [out.stdout, out.stderr, readFileSync(files.json, "utf8"), readFileSync(files.junit, "utf8")].join("\n");
        expect(everything).toContain("bad key ****** for secret ******");
        for (const secret of [CREDENTIALS.accessKey, CREDENTIALS.secret, TOP_CREDENTIALS.appKey, TOP_CREDENTIALS.secret]) {
          expect(everything).not.toContain(secret);
        }
      },
    ));

  it("skips the operations of an API without credentials, saying which variables to set", () =>
    withServer(DRIFTED, async ({ baseUrl, received }) => {
      const out = createOutput({});
      const code = await runVerify({ baseUrl, only: ["taobao.pc.refund.detail"] }, out.io);
      expect(code).toBe(1);
      expect(received).toEqual([]);
      expect(out.stdout).toContain("SKIP   taobao.pc.refund.detail  — no TOP credentials: set TOP_APP_KEY, TOP_SECRET (or --demo against the mock)");
      expect(out.stdout).toContain("NOTHING VERIFIED");
    }));

  it("exits 2 for an unknown operation or a base URL that is not a URL", async () => {
    const { run } = createCommandRunner(registerVerify, "verify", { env: ENV });
    const unknown = await run("--base-url", "http://127.0.0.1:9", "--only", "/alibaba/refund/nope");
    const notUrl = await run("--base-url", "127.0.0.1 4010");
    expect([unknown.exitCode, notUrl.exitCode]).toEqual([2, 2]);
    expect(unknown.err).toContain('Unknown operation "/alibaba/refund/nope"');
    expect(notUrl.err).toContain('"127.0.0.1 4010" is not a URL');
  });

  it("calls $PANDAPON_MOCK_URL, else http://127.0.0.1:4010, when no --base-url is given", async () => {
    const called: string[] = [];
    const fetch = (async (url: string) => {
      called.push(url);
      return new Response(`{"code":200,"msg":"成功","data":{"refundId":"TQ1"}}`, { headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    const only = ["/alibaba/refund/info", "taobao.pc.refund.detail"];
    const named = createOutput({ ...ENV, PANDAPON_MOCK_URL: "http://127.0.0.1:4999/" }, fetch);
    await runVerify({ only }, named.io);
    expect(named.stdout).toContain("Verifying http://127.0.0.1:4999/ (TOP gateway http://127.0.0.1:4999/router/rest)");
    const plain = createOutput(ENV, fetch);
    await runVerify({ only }, plain.io);
    expect(plain.stdout).toContain("Verifying http://127.0.0.1:4010 (TOP gateway http://127.0.0.1:4010/router/rest)");
    expect(called).toEqual([
      "http://127.0.0.1:4999/alibaba/refund/info",
      "http://127.0.0.1:4999/router/rest",
      "http://127.0.0.1:4010/alibaba/refund/info",
      "http://127.0.0.1:4010/router/rest",
    ]);
  });

  it("says where each credential came from: given values are not called demo", async () => {
    const fetch = (async () => new Response("{}")) as typeof globalThis.fetch;
    const line = async (options: Parameters<typeof runVerify>[0], env: Record<string, string> = {}) => {
      const out = createOutput(env, fetch);
      await runVerify({ baseUrl: "http://127.0.0.1:9", only: ["/alibaba/refund/info"], ...options }, out.io);
      return out.stdout.split("\n")[0]!.replace(/^.*credentials: /, "");
    };
    expect(await line({ demo: true })).toBe("PandaPon demo, TOP demo.");
    expect(await line({ demo: true, secret: "s3cret" })).toBe("PandaPon secret given, access-key and user-id demo, TOP demo.");
    expect(await line({ demo: true }, { PANDAPON_USER_ID: "42", TOP_SECRET: "t" })).toBe("PandaPon user-id given, access-key and secret demo, TOP secret given, app key demo.");
    expect(await line({}, ENV)).toBe("PandaPon given, TOP given.");
    expect(await line({ secret: "s3cret" })).toBe("PandaPon secret given, access-key and user-id missing, TOP missing.");
  });

  it("names --fixtures and --generated-requests when it skips an operation without an example request", async () => {
    const without = getCatalog().operations.find((op) => op.meta.api === "pandapon" && !findRequestExample(op).ok)!;
    const out = createOutput();
    await runVerify({ baseUrl: "http://127.0.0.1:9", only: [without.meta.name] }, out.io);
    expect(out.stdout).toMatch(/SKIP .* no example request; give one with --fixtures <dir> \(file <dir>\/[\w-]+\.json\), or send a generated one with --generated-requests \(for the mock\)/);
  });
});

const CREATE = "/alibaba/order/create";
/** Answers of the real API's order-create: its answer is not documented, the schema assumes 1688's result. */
const CREATE_ANSWERS = {
  /** A shape of its own: the id as a 19-digit number, a member 1688's result does not have, no totalSuccessAmount. */
  differs: [200, `{"requestId":"r7","code":200,"developId":null,"msg":"成功","data":{"orderId":2542285634920880794,"orderStatus":"waitbuyerpay"}}`],
  /** 1688's result, as a relay of the same 1688 API shows it. */
  matches: [
    200,
    `{"requestId":"r8","code":200,"developId":null,"msg":"成功","data":{"totalSuccessAmount":1196,"orderId":"2257164624870311973",` +
      `"success":true,"code":null,"message":null,"accountPeriod":null,"failedOfferList":null}}`,
  ],
  /** The envelope itself breaks the contract (code as text), and the data differs too. */
  brokenEnvelope: [200, `{"code":"200","msg":"成功","data":{"orderId":2542285634920880794}}`],
  /** The API's error envelope. */
  error: [400, `{"requestId":"r9","code":40001,"developId":null,"msg":"商品已下架","data":null}`],
} satisfies Record<string, [number, string]>;

describe("verify on an operation whose answer is assumed (/alibaba/order/create)", () => {
  it("reports an answer whose data differs from the assumed shape as assumed, listing the differences, and does not fail the run", () =>
    withServer({ [CREATE]: CREATE_ANSWERS.differs }, async ({ run, received }) => {
      const result = await run({ only: [CREATE] });
      expect(received.map((r) => r.operation)).toEqual([CREATE]);
      const create = result.results[0]!;
      expect(create).toMatchObject({ outcome: "assumed", status: 200, responseViolations: [], warnings: 0 });
      expect(create.assumed!.reason).toMatch(/^PandaPon does not document this answer/);
      expect(create.assumed!.differences.map((v) => `${v.path} ${v.rule} ${v.severity}`)).toEqual([
        "data.orderId type error",
        "data.orderStatus drift warning",
        "data.orderId precision warning",
      ]);
      expect(create.reason).toBe("3 differences from the assumed shape of data, first: data.orderId must be string");
      expect(result.summary).toMatchObject({ total: 1, passed: 0, assumed: 1, failed: 0, warnings: 0 });
      expect(result.ok).toBe(true);
      const strict = await run({ only: [CREATE], strict: true });
      expect(strict.results[0]!.outcome).toBe("assumed");
    }));

  it("passes an answer that matches the assumed shape, saying the shape is assumed", () =>
    withServer({ [CREATE]: CREATE_ANSWERS.matches }, async ({ run }) => {
      const result = await run({ only: [CREATE] });
      expect(result.results[0]).toMatchObject({ outcome: "passed", responseViolations: [], assumed: { differences: [] } });
      expect(result.results[0]!.assumed!.reason).toMatch(/alibaba\.trade\.createCrossOrder/);
      expect(result.summary).toMatchObject({ passed: 1, assumed: 0 });
      expect(result.ok).toBe(true);
    }));

  it("still fails a broken envelope or an error answer: only the data is assumed", () =>
    withServer({ [CREATE]: CREATE_ANSWERS.brokenEnvelope }, async ({ run }) => {
      const broken = (await run({ only: [CREATE] })).results[0]!;
      expect(broken.outcome).toBe("failed");
      expect(toKeys(broken)).toEqual(["code type error"]);
      expect(broken.assumed!.differences.map((v) => `${v.path} ${v.rule}`)).toEqual(["data.orderId type", "data.orderId precision"]);
    }).then(() =>
      withServer({ [CREATE]: CREATE_ANSWERS.error }, async ({ run }) => {
        const error = (await run({ only: [CREATE] })).results[0]!;
        expect(error).toMatchObject({ outcome: "failed", reason: "the API answered with error 40001: 商品已下架" });
        expect(error.assumed!.differences).toEqual([]);
      }),
    ));

  it("leaves operations with documented answers judged as before", () =>
    withServer({ ...DRIFTED, [CREATE]: CREATE_ANSWERS.differs }, async ({ run }) => {
      const result = await run({ only: [...SEEDS, CREATE] });
      expect(result.results.map((r) => r.outcome)).toEqual(["failed", "failed", "failed", "assumed"]);
      expect(result.results.slice(0, 3).map((r) => r.assumed)).toEqual([undefined, undefined, undefined]);
      expect(result.ok).toBe(false);
    }));

  it("exits 0 on an assumed answer, and says ASSUMED in the console, JSON and JUnit (a skip with its message)", () =>
    withServer({ [CREATE]: CREATE_ANSWERS.differs }, async ({ baseUrl }) => {
      const dir = mkdtempSync(join(tmpdir(), "contracts-assumed-"));
      const files = { json: join(dir, "run.json"), junit: join(dir, "junit.xml") };
      const out = createOutput();
      expect(await runVerify({ baseUrl, only: [CREATE], ...files }, out.io)).toBe(0);
      expect(out.stdout).toMatch(/\nASSUMED  POST \/alibaba\/order\/create  HTTP 200  \d+ ms  — 3 differences from the assumed shape of data, first: data\.orderId must be string\n/);
      expect(out.stdout).toContain("        ~ data.orderId  [type] must be string\n");
      expect(out.stdout).toContain("        ~ data.orderStatus  [drift] is not a documented member");
      expect(out.stdout).toContain("        assumed, not failed: PandaPon does not document this answer");
      expect(out.stdout).toMatch(/\n1 operation: 0 passed, 1 assumed, 0 failed, 0 skipped; 0 warnings; \d+ ms\. OK\n$/);
      const json = JSON.parse(readFileSync(files.json, "utf8")) as { ok: boolean; summary: object; results: OperationResult[] };
      expect(json).toMatchObject({ ok: true, summary: { total: 1, passed: 0, assumed: 1, failed: 0 } });
      expect(json.results[0]).toMatchObject({ outcome: "assumed", assumed: { differences: [{ path: "data.orderId", rule: "type" }, {}, {}] } });
      const xml = readFileSync(files.junit, "utf8");
      expect(parseXmlTree(xml).ok).toBe(true);
      expect(readTags(xml, "testsuites")).toEqual([expect.objectContaining({ tests: "1", failures: "0", errors: "0", skipped: "1" })]);
      expect(readTags(xml, "skipped").map((t) => t.message)).toEqual([
        "assumed: 3 differences from the assumed shape of data, first: data.orderId must be string",
      ]);
      expect(xml).toContain("ASSUMED data.orderId [type] must be string");
      expect(xml).not.toContain("<failure");
    }));

  it("exits 0 on a matching answer, and says it passed on an assumed shape", () =>
    withServer({ [CREATE]: CREATE_ANSWERS.matches }, async ({ baseUrl }) => {
      const dir = mkdtempSync(join(tmpdir(), "contracts-assumed-"));
      const junit = join(dir, "junit.xml");
      const out = createOutput();
      expect(await runVerify({ baseUrl, only: [CREATE], junit }, out.io)).toBe(0);
      expect(out.stdout).toMatch(/\nPASS   POST \/alibaba\/order\/create  HTTP 200  \d+ ms  — matches its assumed shape \(the answer is not documented\)\n/);
      expect(out.stdout).toMatch(/\n1 operation: 1 passed \(1 on an assumed shape\), 0 failed, 0 skipped; 0 warnings; \d+ ms\. OK\n$/);
      const xml = readFileSync(junit, "utf8");
      expect(readTags(xml, "testsuites")).toEqual([expect.objectContaining({ tests: "1", failures: "0", skipped: "0" })]);
      expect(xml).toContain("<system-out>PASS on an assumed shape (the answer is not documented): PandaPon does not document this answer");
    }));
});

/** Attributes of every `<tag …>` in order (a tiny reader for the JUnit structure). */
function readTags(xml: string, tag: string): Array<Record<string, string>> {
  return [...xml.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, "g"))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

describe("JUnit output of a verify run", () => {
  it("is well-formed XML with one suite per API, counts that add up and failure messages", () =>
    withServer(DRIFTED, async ({ baseUrl }) => {
      const dir = mkdtempSync(join(tmpdir(), "contracts-junit-"));
      const file = join(dir, "junit.xml");
      const empty = createOutput();
      await runVerify({ baseUrl, only: SEEDS, junit: file }, empty.io);
      const xml = readFileSync(file, "utf8");
      expect(parseXmlTree(xml).ok).toBe(true);
      expect(readTags(xml, "testsuites")).toEqual([expect.objectContaining({ tests: "3", failures: "3", errors: "0", skipped: "0" })]);
      expect(readTags(xml, "testsuite").map((s) => [s.name, s.tests, s.failures])).toEqual([
        ["pandapon-mock.pandapon", "2", "2"],
        ["pandapon-mock.top", "1", "1"],
      ]);
      expect(readTags(xml, "testcase").map((c) => c.name)).toEqual(SEEDS);
      expect(readTags(xml, "failure").map((f) => f.message)).toEqual([
        "1 failure: data.applyPayment must be integer or null",
        "the API answered with error 40012: 退款单不存在",
        "2 failures, first: pc_refund_detail_response.result.success must be boolean",
      ]);
      const systemOut = [...xml.matchAll(/<system-out>([^<]*)<\/system-out>/g)].map((m) => m[1]!.split("\n").map((l) => l.split(" [")[0]));
      expect(systemOut).toEqual([
        ["WARN traceId", "WARN data.refundID", "WARN data.orderId"],
        [`WARN pc_refund_detail_response.result.refund_dispute_order_resp.seller_note`, `WARN pc_refund_detail_response.result.refund_dispute_order_resp.biz_order_id`],
      ]);
      expect(xml).toContain(`type="contract">FAIL data.applyPayment [type] must be integer or null</failure>`);
    }));
});
