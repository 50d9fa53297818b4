import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { stringify } from "lossless-json";
import { describe, expect, it } from "vitest";
import { createCommandRunner } from "./helpers/command-runner.js";
import { registerSign } from "../cli/commands/sign.js";
import { createApp } from "../mock/app.js";
import { parseCurl } from "../client/parse-curl.js";
import { findRequestExample } from "../verify/find-request-example.js";
import { getCatalog } from "../schemas/catalog.js";
import type { SignatureScheme } from "../signing/index.js";
import { DEFAULT_SCHEME, signPandapon, verifyPandaponSignature, verifyTopSignature } from "../signing/index.js";

const DEMO_SECRET = "demo-secret-please-change";
const NOW = Date.UTC(2024, 4, 14, 6, 59, 37, 82); // 1715669977082

function setup(env: Record<string, string> = {}) {
  return createCommandRunner(registerSign, "sign", { env, now: NOW, nonce: "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b" });
}

function parseCurlOrThrow(out: string) {
  const parsed = parseCurl(out);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
}

function toHeaders(out: string): Record<string, string> {
  return Object.fromEntries(out.trim().split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
}

describe("sign pandapon", () => {
  it("explains the docs/protocols.md vector with nonce-str step by step, secret masked", async () => {
    const result = await setup().run("pandapon", "/alibaba/refund/info", "--timestamp", "1715669977082", "--nonce", "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b", "--explain");
    expect(result.exitCode).toBe(0);
    expect(toHeaders(result.out)).toEqual({
      "access-key": "58c0201dfdf148eca63cbf6bb5e7cf03",
      timestamp: "1715669977082",
      "nonce-str": "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b",
      "user-id": "2100007341207",
      signature: "D6CCD0D67408AAAD87050EA7E30EFAB7",
    });
    expect(result.err).toContain(
      'joined with "&": access-key=58c0201dfdf148eca63cbf6bb5e7cf03&nonce-str=5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b&timestamp=1715669977082&key=******',
    );
    expect(result.err).toContain("sorted by header name (ASCII) → access-key, nonce-str, timestamp");
    expect(result.err).toContain("md5 over the UTF-8 bytes → d6ccd0d67408aaad87050ea7e30efab7");
    expect(result.err).toContain("upper-case hex → D6CCD0D67408AAAD87050EA7E30EFAB7");
    expect(result.all).not.toContain(DEMO_SECRET);
  });

  it("explains the vector without nonce-str (--no-nonce) and uses the clock for the timestamp", async () => {
    const result = await setup().run("pandapon", "/alibaba/refund/info", "--no-nonce", "--explain");
    expect(toHeaders(result.out)).toMatchObject({ timestamp: String(NOW), signature: "9B2B441EFD068A7BCD9263D1FFFAB027" });
    expect(result.out).not.toContain("nonce-str");
    expect(result.err).toContain("access-key=58c0201dfdf148eca63cbf6bb5e7cf03&timestamp=1715669977082&key=******");
    expect(result.err).toContain("not sent, skipped: nonce-str");
    expect(result.all).not.toContain(DEMO_SECRET);
  });

  it("prints a curl command that carries the signed headers and the body byte for byte", async () => {
    const body = '{"refundId":"TQ123","note":"it\'s 退款"}';
    const result = await setup().run("pandapon", "/alibaba/refund/info", "--body", body, "--curl");
    const parsed = parseCurl(result.out);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.request).toMatchObject({ method: "POST", url: "http://127.0.0.1:4010/alibaba/refund/info", body });
    expect(parsed.request.headers["content-type"]).toBe("application/json");
    const { signature, ...signed } = parsed.request.headers;
    expect(verifyPandaponSignature(DEFAULT_SCHEME, { headers: signed, body }, DEMO_SECRET, signature!)).toEqual({ ok: true });
    expect(result.all).not.toContain(DEMO_SECRET);
  });

  it("takes credentials from the environment, and flags over the environment", async () => {
    const env = { PANDAPON_ACCESS_KEY: "env-key", PANDAPON_SECRET: "env-secret-123", PANDAPON_USER_ID: "42" };
    const fromEnv = toHeaders((await setup(env).run("pandapon", "/x", "--explain")).out);
    expect(fromEnv).toMatchObject({ "access-key": "env-key", "user-id": "42" });
    const { signature, ...signed } = fromEnv;
    expect(verifyPandaponSignature(DEFAULT_SCHEME, { headers: signed }, "env-secret-123", signature!).ok).toBe(true);

    const withFlag = await setup(env).run("pandapon", "/x", "--secret", "flag-secret-456", "--explain");
    const h = toHeaders(withFlag.out);
    expect(verifyPandaponSignature(DEFAULT_SCHEME, { headers: h }, "flag-secret-456", h.signature!).ok).toBe(true);
    expect(withFlag.err).toContain("from the command line");
    expect(withFlag.all).not.toContain("flag-secret-456");
    expect(withFlag.all).not.toContain("env-secret-123");
  });

  it("signs with a scheme given as identify-signature prints it, inline or from a file", async () => {
    const scheme: SignatureScheme = { ...DEFAULT_SCHEME, fields: ["timestamp", "access-key", "nonce-str"], order: "listed", format: "values", separator: "", secretPlacement: "none", algorithm: "hmac-sha256", case: "lower", includeBody: true };
    const body = '{"refundId":"TQ123"}';
    const { files, run } = setup();
    files.set("scheme.json", JSON.stringify({ signatureScheme: scheme }));
    for (const value of [JSON.stringify({ signatureScheme: scheme }), "scheme.json"]) {
      const { out } = await run("pandapon", "/x", "--scheme", value, "--body", body);
      const { signature, ...signed } = toHeaders(out);
      expect(signature).toBe(signPandapon(scheme, { headers: signed, body }, DEMO_SECRET).signature);
      expect(signature).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("prints a warehouse operation's timestamp and sign as a query line, with only access-key and nonce-str as headers", async () => {
    const result = await setup().run("pandapon", "/open/pp/logistics/updateLogisticInfo", "--timestamp", "1715669977082", "--nonce", "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b", "--explain");
    expect(result.out).toBe(
      "access-key: 58c0201dfdf148eca63cbf6bb5e7cf03\nnonce-str: 5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b\nquery: timestamp=1715669977082&sign=D6CCD0D67408AAAD87050EA7E30EFAB7\n",
    );
    expect(result.err).toContain("sent as the query parameters timestamp and sign");
    expect(result.err).not.toContain("Note:");
  });

  it("uses the operation's documented method unless --method says otherwise, and notes a path the mock does not serve", async () => {
    const get = parseCurlOrThrow((await setup().run("pandapon", "/open/product/get?itemId=672991141190", "--curl")).out);
    expect(get).toMatchObject({ method: "GET", url: "http://127.0.0.1:4010/open/product/get?itemId=672991141190" });
    const forced = parseCurlOrThrow((await setup().run("pandapon", "/open/product/get", "--method", "post", "--curl")).out);
    expect(forced.method).toBe("POST");
    const unknown = await setup().run("pandapon", "/alibaba/nope", "--curl");
    expect(parseCurlOrThrow(unknown.out).method).toBe("POST");
    expect(unknown.err).toContain("the mock serves no /alibaba/nope");
  });

  it("sends --curl to the mock named by PANDAPON_MOCK_URL, unless --base-url says otherwise", async () => {
    const env = { PANDAPON_MOCK_URL: "http://127.0.0.1:4999/" };
    expect(parseCurlOrThrow((await setup(env).run("pandapon", "/alibaba/refund/info", "--curl")).out).url).toBe("http://127.0.0.1:4999/alibaba/refund/info");
    expect(parseCurlOrThrow((await setup(env).run("top", "taobao.pc.refund.detail", "--curl")).out).url).toBe("http://127.0.0.1:4999/router/rest");
    const flag = await setup(env).run("pandapon", "/alibaba/refund/info", "--curl", "--base-url", "http://127.0.0.1:5000");
    expect(parseCurlOrThrow(flag.out).url).toBe("http://127.0.0.1:5000/alibaba/refund/info");
  });

  it("refuses bad input with exit code 2 and the reason", async () => {
    const cases: Array<[string[], string]> = [
      [["pandapon", "alibaba/refund/info"], 'must start with "/"'],
      [["pandapon", "/x", "--body", "{not json"], "--body: it is not JSON"],
      [["pandapon", "/x", "--scheme", '{"algorithm":"crc32"}'], "algorithm must be one of"],
      [["pandapon", "/x", "--scheme", "missing.json"], 'Failed to read "missing.json"'],
      [["top", "taobao.pc.refund.detail", "--sign-method", "sha1"], "is not md5, hmac or hmac-sha256"],
      [["top", "taobao.pc.refund.detail", "--param", "novalue"], "name=value"],
      [["top", "taobao.pc.refund.detail", "--json", "[1]"], "must be an object"],
    ];
    for (const [args, reason] of cases) {
      const result = await setup().run(...args);
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.err).toContain(reason);
      expect(result.out).toBe("");
    }
  });
});

describe("sign top", () => {
  it("explains the official md5 vector with the secret masked", async () => {
    const result = await setup().run(
      "top", "taobao.item.seller.get", "--top-session", "test", "--timestamp", "2016-01-01 12:00:00",
      "--param", "fields=num_iid,title,nick,price,num", "--param", "num_iid=11223344", "--explain",
    );
    const params = Object.fromEntries(new URLSearchParams(result.out.trim()));
    expect(params.sign).toBe("66987CB115214E59E6EC978214934FB8");
    expect(result.err).toContain(
      "******app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.getnum_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0******",
    );
    expect(result.all).not.toContain("helloworld");
  });

  it("reproduces the hmac and hmac-sha256 regression vectors", async () => {
    const args = ["top", "taobao.item.seller.get", "--top-session", "test", "--timestamp", "2016-01-01 12:00:00", "--param", "fields=num_iid,title,nick,price,num", "--param", "num_iid=11223344"];
    const hmac = new URLSearchParams((await setup().run(...args, "--sign-method", "hmac")).out.trim());
    expect(hmac.get("sign")).toBe("D56D7858309C31B6251083A874D48273");
    const sha = new URLSearchParams((await setup().run(...args, "--sign-method", "hmac-sha256")).out.trim());
    expect(sha.get("sign")).toBe("04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8");
  });

  it("prints a curl command whose form sends struct parameters as JSON text, every digit kept, signed", async () => {
    const env = { TOP_APP_KEY: "23456789", TOP_SECRET: "top-env-secret" };
    const struct = '{"dispute_id":"TQ123","buyer_id":2100007341207123456}';
    const result = await setup(env).run("top", "taobao.pc.refund.detail", "--json", `{"refund_detail_order_req":${struct}}`, "--curl", "--format", "xml");
    const parsed = parseCurl(result.out);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.request.url).toBe("http://127.0.0.1:4010/router/rest");
    const params = Object.fromEntries(new URLSearchParams(parsed.request.body));
    expect(params).toMatchObject({ method: "taobao.pc.refund.detail", app_key: "23456789", format: "xml", v: "2.0", timestamp: "2024-05-14 14:59:37" });
    expect(params.refund_detail_order_req).toBe(struct);
    expect(verifyTopSignature(params, "top-env-secret", "md5")).toEqual({ ok: true });
    expect(result.all).not.toContain("top-env-secret");
  });
});

describe("the printed curl command", () => {
  it("sends exactly the signed headers and body when run by a real shell and curl", async () => {
    const received: { headers?: Record<string, unknown>; body?: string; method?: string; url?: string } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        Object.assign(received, { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), method: req.method, url: req.url });
        res.writeHead(200, { "content-type": "application/json" }).end('{"code":200}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = `{"refundId":"TQ123","note":"it's \\"quoted\\" $HOME \`x\` 退款"}`;
      const { out } = await setup().run("pandapon", "/alibaba/refund/info", "--body", body, "--curl", "--base-url", `http://127.0.0.1:${port}/`);
      const { stdout } = await promisify(execFile)("sh", ["-c", out]);
      expect(stdout).toBe('{"code":200}');
      expect(received).toMatchObject({ method: "POST", url: "/alibaba/refund/info", body });
      const h = received.headers as Record<string, string>;
      const signed = { "access-key": h["access-key"], "nonce-str": h["nonce-str"], timestamp: h.timestamp };
      expect(verifyPandaponSignature(DEFAULT_SCHEME, { headers: signed, body }, DEMO_SECRET, h.signature!)).toEqual({ ok: true });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the printed curl commands against the mock", () => {
  /** The mock app on 127.0.0.1 (ephemeral port), on the same injected clock as the sign command. */
  async function startMock() {
    const server = createServer(createApp({ now: () => NOW, validateResponses: true }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { baseUrl, close: () => new Promise((resolve) => server.close(resolve)) };
  }
  /** Runs the printed command with real curl, adding only a last line with the HTTP status. */
  async function runCurl(command: string) {
    const { stdout } = await promisify(execFile)("sh", ["-c", `${command.trim()} -w '\\n%{http_code}'`]);
    const cut = stdout.lastIndexOf("\n");
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
  }

  it("gets HTTP 200 and code 200 from /alibaba/refund/info with the sign pandapon --curl output", async () => {
    const mock = await startMock();
    try {
      const { out } = await setup().run("pandapon", "/alibaba/refund/info", "--body", '{"refundId":"TQ123"}', "--curl", "--base-url", mock.baseUrl);
      const answer = await runCurl(out);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 200, msg: "成功" });
    } finally {
      await mock.close();
    }
  });

  /** Every path of the operations signed in the query (`timestamp` and `sign`), aliases included. */
  const querySigned = getCatalog().operations
    .filter((op) => op.meta.auth === "query-sign")
    .flatMap((op) => [op.meta.path!, ...(op.meta.aliases ?? [])].map((path) => [path, op] as const));

  it("knows the query-signed warehouse operations", () => {
    expect(querySigned.map(([path]) => path)).toEqual(expect.arrayContaining(["/open/pp/logistics/orderRenderFreight", "/open/pp/logistics/updateLogisticInfo", "/v2/open/pp/logistics/itemLogisticsPrice"]));
  });

  it.each(querySigned)("gets HTTP 200 and code 200 from %s with timestamp and sign in the query of the --curl output", async (path, op) => {
    const example = findRequestExample(op);
    if (!example.ok) throw new Error(example.reason);
    const body = stringify(example.payload)!;
    const mock = await startMock();
    try {
      const { out } = await setup().run("pandapon", path, "--body", body, "--curl", "--base-url", mock.baseUrl);
      const answer = await runCurl(out);
      expect(answer.status, answer.body).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 200, msg: "成功" });
      const url = new URL(parseCurlOrThrow(out).url);
      expect([...url.searchParams.keys()]).toEqual(["timestamp", "sign"]);
      expect(url.searchParams.get("timestamp")).toBe(String(NOW));
    } finally {
      await mock.close();
    }
  });

  it("gets a pc_refund_detail_response from /router/rest with the sign top --curl output", async () => {
    const mock = await startMock();
    try {
      const json = JSON.stringify({ refund_detail_order_req: { dispute_id: "10000001", buyer_id: 10000001 } });
      const { out } = await setup().run("top", "taobao.pc.refund.detail", "--json", json, "--sign-method", "hmac-sha256", "--curl", "--base-url", mock.baseUrl);
      const answer = await runCurl(out);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toHaveProperty("pc_refund_detail_response.request_id");
    } finally {
      await mock.close();
    }
  });
});
