import * as crypto from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import request from "supertest";
import { Pool } from "undici";
import { describe, expect, it, vi } from "vitest";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { getCore } from "../mock/app.js";
import { createNonceMemory } from "../mock/nonce-memory.js";
import { handlePandapon } from "../mock/pandapon/handle-pandapon.js";
import { startServer } from "../mock/start-server.js";
import { parseXmlTree } from "../checks/parse-top-xml.js";
import { getCatalog } from "../schemas/catalog.js";
import { describeViolations } from "../schemas/violations.js";
import { isSameSecretValue } from "../signing/digest.js";
import { exposeGc } from "./helpers/expose-gc.js";
import { NOW, answeredNow, setupMock } from "./helpers/mock-setup.js";

// A pass-through spy: the code under test keeps the real timingSafeEqual, the tests see its arguments.
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const INFO = "/alibaba/refund/info";
const TOP = "/router/rest";
const SECRETS = [DEMO_PANDAPON.secret, DEMO_TOP.secret];
const ENVELOPES = "https://pandapon-mock.dev/schemas/common/envelopes.json";
const catalog = getCatalog();
const isPandaponError = catalog.getValidator(`${ENVELOPES}#/definitions/PandaponError`);
const isTopError = catalog.getValidator(`${ENVELOPES}#/definitions/TopErrorResponse`);
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
/** Characters XML 1.0 forbids even when escaped (its Char production); a strict parser (the TOP SDKs') rejects them. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const REFUND_REQ = JSON.stringify({ dispute_id: "10000001", buyer_id: 10000001 });

/** The mock under test (answers validated against their own schemas, log lines kept) and ways to send raw bytes. */
function setup(options: Parameters<typeof setupMock>[0] = {}) {
  const logLines: string[] = [];
  const mock = setupMock({ log: (line) => logLines.push(line), ...options });
  const raw = (value: unknown) => value as string;
  /** Sends `body` byte for byte (supertest would JSON-encode a Buffer sent as application/json). */
  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer) => {
    const req = request(mock.app)[method.toLowerCase() as "post"](path).set(headers);
    return body === undefined ? req : req.serialize(raw).send(body);
  };
  /** What the mock keeps about past requests for people: its log lines and its journal. */
  const readRecords = async () => `${logLines.join("\n")}\n${(await request(mock.app).get("/__mock/journal")).text}`;
  return { ...mock, send, readRecords };
}

// ── What every answer must be ────────────────────────────────────────────────────────────────

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

function expectPrototypeIntact(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
}

/** PandaPon: a JSON envelope; an error is `{code != 200, data: null, msg}` with a 4xx, a success is schema-valid. */
function expectPandaponAnswer(res: { status: number; text: string; headers: Record<string, string | string[] | undefined> }, method: string, path: string): void {
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
  expectNoSecret(res.text);
  const body = JSON.parse(res.text) as { code?: unknown };
  if (body.code === 200) {
    expect(res.status).toBe(200);
    const operation = catalog.matchRoute(method, path)!.operation;
    expect(operation.checkResponse(body)).toEqual([]);
  } else {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(isPandaponError(body), JSON.stringify(isPandaponError.errors)).toBe(true);
  }
}

/** TOP: HTTP 200 with one `<x>_response` or `error_response`, in JSON or well-formed XML, never the fault code 15/isp.unknown-error. */
function expectTopAnswer(res: { status: number; text: string; headers: Record<string, string | string[] | undefined> }): void {
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expectNoSecret(res.text);
  const type = String(res.headers["content-type"]);
  if (type.startsWith("application/json")) {
    const body = JSON.parse(res.text) as Record<string, { sub_code?: string }>;
    const [root, ...others] = Object.keys(body);
    expect(others).toEqual([]);
    if (root === "error_response") {
      expect(isTopError(body), JSON.stringify(isTopError.errors)).toBe(true);
      expect(body.error_response!.sub_code, res.text.slice(0, 300)).not.toBe("isp.unknown-error");
    } else {
      expect(root).toMatch(/^pc_\w+_response$/);
    }
    return;
  }
  expect(type).toMatch(/^text\/xml/);
  expect(res.text, "XML 1.0 forbids this character").not.toMatch(NOT_XML_CHAR);
  const tree = parseXmlTree(res.text);
  expect(tree.ok, JSON.stringify(tree)).toBe(true);
  if (!tree.ok) return;
  expect(tree.value.name).toMatch(/^(error_response|pc_\w+_response)$/);
  if (tree.value.name === "error_response") {
    expect(tree.value.children.find((c) => c.name === "code")?.text).toMatch(/^\d+$/);
    expect(tree.value.children.find((c) => c.name === "sub_code")?.text, res.text.slice(0, 300)).not.toBe("isp.unknown-error");
  }
}

// ── Arbitraries ──────────────────────────────────────────────────────────────────────────────

/** `fc.oneof` with weights written first: weighted([3, common], [1, rare]). */
function weighted<T>(...choices: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}
const latin1 = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
/** Header values Node lets through: tab, printable ASCII and raw bytes 0x80–0xFF (invalid UTF-8 on the wire). */
const headerValue = fc.oneof(
  fc.string({ unit: fc.oneof(latin1(0x20, 0x7e), latin1(0x80, 0xff)), maxLength: 60 }),
  fc.constantFrom("", " ", "application/json", "application/json; charset=utf-16", "text/plain", "gzip", "deflate", "br", "x-unknown", "1715669977082", "-1", "9".repeat(40), "%00"),
  fc.integer({ min: 1000, max: 2000 }).map((n) => "A".repeat(n)),
);
/** Framing headers Node itself answers (417, 431, upgrades): out of the mock's hands, left out of the random sets. */
const FRAMING = new Set(["host", "connection", "content-length", "transfer-encoding", "expect", "upgrade", "te", "trailer", "keep-alive"]);
/** Header names, with the system headers and prototype keys among them (framing headers are left to Node). */
const headerName = fc.oneof(
  fc.constantFrom("content-type", "content-encoding", "access-key", "timestamp", "nonce-str", "user-id", "signature", "accept", "__proto__", "constructor", "prototype", "hasOwnProperty", "x-forwarded-for"),
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/).filter((name) => !FRAMING.has(name)),
);
const randomHeaders = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs) as Record<string, string>);
const contentType = fc.oneof(
  fc.constantFrom("application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=x-nope", "application/problem+json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=b", "application/octet-stream", "*/*", ";;;=", ""),
  headerValue,
);
/** Mostly no content-encoding; otherwise a real one (body compressed to match, or not: garbage) or one nobody supports. */
const contentEncoding = weighted([3, fc.constant(undefined)], [1, fc.constantFrom("gzip", "deflate", "br", "identity", "x-unknown", "gzip, gzip", "GZIP")]);
const encodes = weighted([3, fc.constant(true)], [1, fc.constant(false)]);
const jsonKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "refundId", "toString", "valueOf", "hasOwnProperty", "dispute_id", "buyer_id"), fc.string({ maxLength: 8 }));
const pollution = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({ polluted: "yes" }), fc.constant({ prototype: { polluted: "yes" } }), fc.constant({ __proto__: null, polluted: "yes" }));
/** JSON text of an object whose keys may be `__proto__`/`constructor`/`prototype` (written as text, so they stay own keys). */
const jsonObjectText = fc.array(fc.tuple(jsonKey, pollution), { maxLength: 6 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`);
/** A valid request with prototype keys added, so they travel past validation into generation. */
const pollutedValid = (valid: string) => jsonObjectText.map((text) => (text === "{}" ? valid : `${valid.slice(0, -1)},${text.slice(1)}`));
/** Deep nesting inside an otherwise valid request, so it reaches every stage behind validation. */
const deepJsonText = (valid: string) =>
  fc.tuple(fc.integer({ min: 1000, max: 6000 }), fc.boolean()).map(([depth, arrays]) => {
    const nested = arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    return `${valid.slice(0, -1)},"deep":${nested}}`;
  });
/** A body: random bytes, JSON (deep, with prototype keys, invalid UTF-8 inside strings), huge strings. */
const bodyFor = (valid: string) =>
  weighted(
    [3, fc.constant(Buffer.from(valid))],
    [2, pollutedValid(valid).map((text) => Buffer.from(text))],
    [1, jsonObjectText.map((text) => Buffer.from(text))],
    [1, deepJsonText(valid).map((text) => Buffer.from(text))],
    [1, fc.uint8Array({ minLength: 1, maxLength: 16 }).map((bytes) => Buffer.concat([Buffer.from(valid.slice(0, -2)), Buffer.from(bytes.map((b) => b | 0x80)), Buffer.from('"}')]))],
    [1, fc.tuple(fc.integer({ min: 10_000, max: 600_000 }), fc.constantFrom("9", "x", "中")).map(([n, c]) => Buffer.from(`${valid.slice(0, -2)}${c.repeat(n)}"}`))],
    [1, fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes))],
    [1, fc.constant(Buffer.alloc(0))],
  );
/** Query strings with raw and malformed percent-escapes. */
const queryText = fc.string({ unit: fc.oneof(fc.constantFrom("a", "=", "&", "%", "%FF", "%E0%A4%A", "%ZZ", "%00", "format=json", "__proto__", "+", "[]"), latin1(0x21, 0x7e).filter((c) => c !== "#")), maxLength: 40 });

/** The body as sent for a content-encoding: compressed to match it, or left as it is (garbage for a real encoding). */
function toEncodedBody(body: Buffer, encoding: string | undefined, encode: boolean): Buffer {
  if (!encoding || !encode) return body;
  const name = encoding.toLowerCase();
  return name === "gzip" ? gzipSync(body) : name === "deflate" ? deflateSync(body) : name === "br" ? brotliCompressSync(body) : body;
}

// ── Properties ───────────────────────────────────────────────────────────────────────────────

describe("hostile PandaPon requests", () => {
  const method = weighted([8, fc.constant("POST")], [1, fc.constantFrom("GET", "PUT", "DELETE", "PATCH")]);
  const path = weighted(
    [6, fc.constant(INFO)],
    [1, fc.constantFrom("/v2/alibaba/refund/goods/return", "/open/order/refund/cancel/TQ1", "/open/address/addOrUpdate", "/open/pp/logistics/orderRenderFreight", "/nothing", "/__proto__", "/alibaba/refund/info/")],
    [1, fc.tuple(fc.constantFrom("/open/order/refund/cancel/", "/v2/taobao/order/refund/cancel/", "/"), queryText).map(([prefix, tail]) => prefix + tail.replace(/[?]/g, ""))],
  );
  const type = weighted([4, fc.constant("application/json")], [1, contentType]);

  it("answers every random request with the envelope's error or a valid success, never a 5xx, never a secret in answers, log or journal", async () => {
    const { send, pandaponHeaders, readRecords } = setup();
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        fc.option(queryText, { nil: undefined, freq: 3 }),
        weighted([4, fc.constant(true)], [1, fc.constant(false)]),
        weighted([2, fc.constant({})], [1, randomHeaders]),
        type,
        contentEncoding,
        encodes,
        bodyFor('{"refundId":"TQ8651493722961198"}'),
        async (verb, route, query, signed, extra, contentTypeValue, encoding, encode, body) => {
          const headers: Record<string, string> = { ...(signed ? pandaponHeaders() : {}), "content-type": contentTypeValue, ...extra };
          if (encoding) headers["content-encoding"] = encoding;
          const target = query === undefined ? route : `${route}?${query}`;
          const res = await send(verb, target, headers, verb === "GET" ? undefined : toEncodedBody(body, encoding, encode));
          expectPandaponAnswer(res, verb, route);
          expectPrototypeIntact();
        },
      ),
      { seed: 20250514, numRuns: 200 },
    );
    expectNoSecret(await readRecords());
  });
});

describe("hostile TOP requests", () => {
  const systemKeys = fc.constantFrom("method", "app_key", "timestamp", "v", "sign_method", "sign", "format", "session", "refund_detail_order_req", "__proto__", "constructor", "prototype");
  /** Form pairs with repeated keys: the first value wins at the gateway, and repeats must not confuse it. */
  const formPairs = fc.array(fc.tuple(fc.oneof(systemKeys, fc.string({ maxLength: 6 })), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("json", "xml", "taobao.pc.refund.detail", "2.0", "md5", "hmac"), deepJsonText(REFUND_REQ), jsonObjectText)), { minLength: 1, maxLength: 8 });
  const structParam = weighted([4, fc.constant(REFUND_REQ)], [2, pollutedValid(REFUND_REQ)], [1, jsonObjectText], [1, deepJsonText(REFUND_REQ)], [1, fc.string({ maxLength: 40 })]);

  it("answers every random gateway request with error_response or a valid success, never a fault, never a secret in answers, log or journal", async () => {
    const { send, topParams, readRecords } = setup();
    await fc.assert(
      fc.asyncProperty(
        weighted([6, fc.constant("POST")], [3, fc.constant("GET")], [1, fc.constant("PUT")]),
        fc.option(queryText, { nil: undefined, freq: 3 }),
        weighted([4, fc.constant("signed")], [1, fc.constant("unsigned")], [1, fc.constant("none")]),
        fc.constantFrom("json", "xml", undefined),
        structParam,
        weighted([3, fc.constant<Array<[string, string]>>([])], [1, formPairs.map((pairs) => pairs.map(([k, v]) => [k, v] as [string, string]))]),
        weighted([3, fc.constant(false)], [1, fc.constant(true)]),
        weighted([3, fc.constant({})], [1, randomHeaders]),
        contentEncoding,
        encodes,
        weighted([4, fc.constant(undefined)], [1, fc.tuple(contentType, bodyFor(REFUND_REQ))]),
        async (verb, query, signing, format, struct, pairs, pairsFirst, extra, encoding, encode, raw) => {
          const base = signing === "none" ? {} : topParams({ refund_detail_order_req: struct }, { format, ...(signing === "unsigned" ? { sign: "0".repeat(32) } : {}) });
          const ordered = pairsFirst ? [...pairs, ...Object.entries(base)] : [...Object.entries(base), ...pairs];
          const form = new URLSearchParams(ordered).toString();
          const headers: Record<string, string> = { "content-type": raw ? raw[0] : "application/x-www-form-urlencoded", ...extra };
          if (encoding) headers["content-encoding"] = encoding;
          const body = raw ? raw[1] : Buffer.from(form);
          // A URL past Node's 16 KiB header limit gets Node's own 431: long forms travel in the body.
          const get = verb === "GET" && form.length < 8_000;
          const target = get ? `${TOP}?${form}${query ? `&${query}` : ""}` : query === undefined ? TOP : `${TOP}?${query}`;
          const res = await send(get || verb !== "GET" ? verb : "POST", target, headers, get ? undefined : toEncodedBody(body, encoding, encode));
          expectTopAnswer(res);
          expectPrototypeIntact();
        },
      ),
      { seed: 20250515, numRuns: 200 },
    );
    expectNoSecret(await readRecords());
  });
});

// ── Regressions found by the properties (each pins one input) ───────────────────────────────

describe("inputs that once made the mock fail", () => {
  const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  it("answers a PandaPon body nested 5000 deep with a 4xx or a success, not 500", async () => {
    const { send, pandaponHeaders } = setup();
    const res = await send("POST", INFO, { ...pandaponHeaders(), "content-type": "application/json" }, Buffer.from(`{"refundId":"TQ1","deep":${deep(5000)}}`));
    expectPandaponAnswer(res, "POST", INFO);
  });

  it("answers a TOP struct parameter nested 5000 deep without the fault code 15", async () => {
    const { send, topParams } = setup();
    const form = new URLSearchParams(topParams({ refund_detail_order_req: `{"dispute_id":"1","buyer_id":1,"deep":${deep(5000)}}` })).toString();
    expectTopAnswer(await send("POST", TOP, { "content-type": "application/x-www-form-urlencoded" }, Buffer.from(form)));
  });

  for (const path of ["/open/order/refund/cancel/%E0%A4%A", "/open/order/refund/cancel/%ZZ"]) {
    it(`answers a malformed percent-escape in a path parameter (${path}) with a 4xx, not 500`, async () => {
      const { send, pandaponHeaders } = setup();
      const res = await send("POST", path, { ...pandaponHeaders(), "content-type": "application/json" }, Buffer.from("{}"));
      expectPandaponAnswer(res, "POST", path);
    });
  }

  for (const [name, bytes] of [
    ["bytes that are not gzip", Buffer.from("not gzip at all")],
    ["a truncated gzip stream", gzipSync('{"refundId":"TQ1"}').subarray(0, 15)],
  ] as const) {
    it(`answers content-encoding gzip with ${name} in the protocol's error, not 500 or code 15`, async () => {
      const { send, pandaponHeaders } = setup();
      const pandapon = await send("POST", INFO, { ...pandaponHeaders(), "content-type": "application/json", "content-encoding": "gzip" }, bytes);
      expectPandaponAnswer(pandapon, "POST", INFO);
      expect(pandapon.status).toBeGreaterThanOrEqual(400);
      const top = await send("POST", `${TOP}?format=json`, { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip" }, bytes);
      expectTopAnswer(top);
      expect(JSON.parse(top.text).error_response.code).toBe(41);
    });
  }

  it("answers a large body that does not decode (br, gzip, deflate) on a keep-alive connection, then the next request on it: the rest of the body is read and dropped", async () => {
    const { app, pandaponHeaders } = setup();
    const running = await startServer(app, 0, "127.0.0.1");
    const url = new URL(running.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = Buffer.from(`{"refundId":"${"x".repeat(900_000)}"}`);
    /** One request on the agent's connection: its status, or the error that ended it (ECONNRESET when the socket closed with the body unread). */
    const ask = (method: string, path: string, headers: Record<string, string>, data?: Buffer) =>
      new Promise<number | string>((resolve) => {
        const req = httpRequest({ host: url.hostname, port: url.port, method, path, agent, headers: data ? { ...headers, "content-length": String(data.length) } : headers }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        req.end(data);
      });
    try {
      for (const encoding of ["br", "gzip", "deflate", "br"]) {
        for (const path of [INFO, "/__mock/rules"]) {
          const headers = { "content-type": "application/json", "content-encoding": encoding, ...(path === INFO ? pandaponHeaders() : {}) };
          expect(await ask("POST", path, headers, body), `${encoding} ${path}`).toBe(400);
          expect(await ask("GET", "/__mock/health", {}), `after ${encoding} ${path}`).toBe(200);
        }
      }
    } finally {
      agent.destroy();
      await running.close();
    }
  });

  it("answers a valid refundId of 400 digits with an id its schema allows (or a 400), not a 500", async () => {
    const { send, pandaponHeaders } = setup();
    const res = await send("POST", INFO, { ...pandaponHeaders(), "content-type": "application/json" }, Buffer.from(`{"refundId":"TQ${"9".repeat(400)}"}`));
    expectPandaponAnswer(res, "POST", INFO);
  });

  it("writes no character XML 1.0 forbids when a TOP error echoes a parameter", async () => {
    const { send } = setup();
    const res = await send("POST", TOP, { "content-type": "application/x-www-form-urlencoded" }, Buffer.from("method=taobao.%01%3Cx%3E%26"));
    expectTopAnswer(res);
  });
});

// ── Explicit protections ─────────────────────────────────────────────────────────────────────

describe("body-size limit", () => {
  it("answers a PandaPon body over the limit with 413 and code 41301 in the envelope", async () => {
    const { send, pandaponHeaders } = setup({ bodyLimitBytes: 1000 });
    const res = await send("POST", INFO, { ...pandaponHeaders(), "content-type": "application/json" }, Buffer.from(`{"refundId":"TQ${"1".repeat(2000)}"}`));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ code: 41301, data: null, msg: expect.stringContaining("1000 bytes") });
  });

  it("answers a gzip body that inflates past the limit (a zip bomb) with 413 and code 41301", async () => {
    const { send, pandaponHeaders } = setup();
    const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(10_000);
    const res = await send("POST", INFO, { ...pandaponHeaders(), "content-type": "application/json", "content-encoding": "gzip" }, bomb);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({ code: 41301, data: null });
  });

  it("answers a TOP body over the limit with error_response code 41, in JSON when format=json is in the query and in XML otherwise", async () => {
    const { send, topParams } = setup({ bodyLimitBytes: 1000 });
    const big = Buffer.from(new URLSearchParams(topParams({ refund_detail_order_req: REFUND_REQ, padding: "x".repeat(2000) })).toString());
    const json = await send("POST", `${TOP}?format=json`, { "content-type": "application/x-www-form-urlencoded" }, big);
    expectTopAnswer(json);
    expect(JSON.parse(json.text).error_response).toMatchObject({ code: 41, sub_msg: expect.stringContaining("1000 bytes") });
    const xml = await send("POST", TOP, { "content-type": "application/x-www-form-urlencoded" }, big);
    expectTopAnswer(xml);
    expect(xml.text).toContain("<error_response><code>41</code>");
  });
});

describe("nonce memory under a flood of unique nonces", () => {
  it("remembers every one of 1e6 unique nonces in its default 32 MiB, the first included, at a cost per nonce that does not grow with it", () => {
    let now = NOW;
    const memory = createNonceMemory({ bytes: 32 * 1024 * 1024, windowMs: 600_000, now: () => now });
    const total = 1_000_000;
    // A time budget instead of a timing assertion: ~0.5 µs per nonce is what a Map costs; 5 µs is 10× that.
    const budgetMs = 5_000;
    const started = performance.now();
    let fresh = 0;
    let done = 0;
    while (done < total && (done % 10_000 !== 0 || performance.now() - started < budgetMs)) {
      if (memory.remember(DEMO_PANDAPON.accessKey, `${String(done).padStart(8, "0")}5f2b9c1e8d7a4e3f9b6c2d1a`) === "fresh") fresh += 1;
      done += 1;
      if (done % 1000 === 0) now += 1;
    }
    expect(done, `only ${done} of ${total} nonces in ${budgetMs} ms: remembering costs more as the memory fills`).toBe(total);
    expect([fresh, memory.size]).toEqual([total, total]);
    expect(memory.remember(DEMO_PANDAPON.accessKey, `${String(0).padStart(8, "0")}5f2b9c1e8d7a4e3f9b6c2d1a`)).toBe("replayed");
    expect(memory.byteLength).toBeLessThanOrEqual(32 * 1024 * 1024);
  });

  it("forgets as fast as it remembers under a steady flood longer than its capacity, refusing none", () => {
    let now = NOW;
    // 1000 nonces per ms, each kept 2 × 50 ms: ~100,000 live at a time in a memory of 131,072.
    const memory = createNonceMemory({ bytes: 4 * 1024 * 1024, windowMs: 50, now: () => now });
    const verdicts = { fresh: 0, replayed: 0, full: 0 };
    for (let i = 0; i < 1_000_000; i += 1) {
      verdicts[memory.remember("k", `n${i}`)] += 1;
      if (i % 1000 === 999) now += 1;
    }
    expect(verdicts).toEqual({ fresh: 1_000_000, replayed: 0, full: 0 });
    expect(memory.size).toBeLessThanOrEqual(101_000);
  });
});

describe("constant-time signature comparison", () => {
  const spy = vi.mocked(crypto.timingSafeEqual);
  const expected = "D6CCD0D67408AAAD87050EA7E30EFAB7";
  /** Same length as a real signature, differing first, last, by case, everywhere; and other lengths. */
  const sameLength = [`0${expected.slice(1)}`, `${expected.slice(0, 31)}8`, expected.toLowerCase(), "0".repeat(32)];
  const otherLengths = ["", "D", expected.slice(0, 31), `${expected}0`, `${expected}${expected}`, "X".repeat(10_000)];

  it("compares every same-length candidate in full with timingSafeEqual, wherever it differs", () => {
    for (const candidate of sameLength) {
      spy.mockClear();
      expect(isSameSecretValue(candidate, expected)).toBe(false);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0]! as unknown as [Buffer, Buffer];
      expect(a.length).toBe(b.length);
      expect(a.length).toBeGreaterThanOrEqual(32);
    }
    expect(isSameSecretValue(expected, expected)).toBe(true);
  });

  it("rejects candidates of every other length, shared prefixes included, without throwing", () => {
    for (const candidate of otherLengths) expect(isSameSecretValue(candidate, expected)).toBe(false);
  });

  it("rejects wrong PandaPon and TOP signatures of any length, comparing same-length ones with timingSafeEqual", async () => {
    const { send, pandaponHeaders, topParams } = setup();
    for (const candidate of [...sameLength, ...otherLengths.filter(Boolean)]) {
      spy.mockClear();
      const pandapon = await send("POST", INFO, { ...pandaponHeaders({ signature: candidate }), "content-type": "application/json" }, Buffer.from('{"refundId":"TQ1"}'));
      expect(JSON.parse(pandapon.text).code).toBe(40104);
      const top = await send("POST", TOP, { "content-type": "application/x-www-form-urlencoded" }, Buffer.from(new URLSearchParams(topParams({ refund_detail_order_req: REFUND_REQ }, { sign: candidate })).toString()));
      expect(JSON.parse(top.text).error_response.code).toBe(25);
      expectNoSecret(pandapon.text + top.text);
      if (candidate.length === 32) {
        expect(spy).toHaveBeenCalledTimes(2);
        for (const [a, b] of spy.mock.calls as unknown as Array<[Buffer, Buffer]>) expect([a.length, b.length]).toEqual([32, 32]);
      }
    }
  });
});

// ── Under load on loopback ───────────────────────────────────────────────────────────────────

/** Runs `work` over `items` with at most `limit` in flight. */
async function runBounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Probe {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Checks the answer; returns what was wrong, or undefined. */
  check(status: number, text: string): string | undefined;
}

describe("a burst of bad requests on loopback", () => {
  function setupBurst() {
    const { app, pandaponHeaders, topParams } = setup({ bodyLimitBytes: 64 * 1024 });
    const info = catalog.find(INFO)!;
    const json = { "content-type": "application/json" };
    const pandaponError = (status: number, code: number) => (s: number, text: string) => {
      const body = JSON.parse(text);
      return s === status && body.code === code && body.data === null && isPandaponError(body) ? undefined : `expected ${status}/${code}, got ${s} ${text.slice(0, 200)}`;
    };
    const topError = (code: number) => (s: number, text: string) => {
      const body = JSON.parse(text);
      return s === 200 && body.error_response?.code === code && isTopError(body) ? undefined : `expected error_response ${code}, got ${s} ${text.slice(0, 200)}`;
    };
    const good = (i: number): Probe => {
      const refundId = `TQ${String(i).padStart(17, "7")}`;
      return {
        kind: "good",
        method: "POST",
        path: INFO,
        headers: { ...pandaponHeaders(), ...json },
        body: Buffer.from(JSON.stringify({ refundId })),
        check(s, text) {
          const body = JSON.parse(text);
          const violations = info.checkResponse(body);
          return s === 200 && body.code === 200 && body.data?.refundId === refundId && violations.length === 0 ? undefined : `expected a valid 200 for ${refundId}, got ${s} ${text.slice(0, 200)}`;
        },
      };
    };
    const burned = Array.from({ length: 50 }, () => pandaponHeaders());
    const bad: Array<(i: number) => Probe> = [
      () => ({ kind: "missing header", method: "POST", path: INFO, headers: { ...pandaponHeaders({ "user-id": undefined }), ...json }, body: Buffer.from('{"refundId":"TQ1"}'), check: pandaponError(401, 40101) }),
      () => ({ kind: "old timestamp", method: "POST", path: INFO, headers: { ...pandaponHeaders({ timestamp: String(NOW - 700_000) }), ...json }, body: Buffer.from('{"refundId":"TQ1"}'), check: pandaponError(401, 40102) }),
      (i) => ({ kind: "replayed nonce", method: "POST", path: INFO, headers: { ...burned[i % burned.length]!, ...json }, body: Buffer.from('{"refundId":"TQ1"}'), check: pandaponError(401, 40103) }),
      () => ({ kind: "bad signature", method: "POST", path: INFO, headers: { ...pandaponHeaders({ signature: "0".repeat(32) }), ...json }, body: Buffer.from('{"refundId":"TQ1"}'), check: pandaponError(401, 40104) }),
      () => ({ kind: "unknown key", method: "POST", path: INFO, headers: { ...pandaponHeaders({ "access-key": "nope" }), ...json }, body: Buffer.from('{"refundId":"TQ1"}'), check: pandaponError(403, 40301) }),
      () => ({ kind: "malformed JSON", method: "POST", path: INFO, headers: { ...pandaponHeaders(), ...json }, body: Buffer.from('{"refundId": "TQ1"'), check: pandaponError(400, 40001) }),
      () => ({ kind: "schema violation", method: "POST", path: INFO, headers: { ...pandaponHeaders(), ...json }, body: Buffer.from('{"refundId": 42}'), check: pandaponError(400, 40002) }),
      () => ({ kind: "wrong content type", method: "POST", path: INFO, headers: { ...pandaponHeaders(), "content-type": "text/plain" }, body: Buffer.from("refundId=TQ1"), check: pandaponError(415, 41501) }),
      () => ({ kind: "unknown path", method: "POST", path: "/alibaba/refund/nothing", headers: { ...pandaponHeaders(), ...json }, body: Buffer.from("{}"), check: pandaponError(404, 40401) }),
      () => ({ kind: "wrong method", method: "GET", path: INFO, headers: pandaponHeaders(), check: pandaponError(405, 40501) }),
      () => ({ kind: "over the limit", method: "POST", path: INFO, headers: { ...pandaponHeaders(), ...json }, body: Buffer.from(`{"refundId":"TQ${"1".repeat(70_000)}"}`), check: pandaponError(413, 41301) }),
      () => ({ kind: "random bytes", method: "POST", path: INFO, headers: { ...pandaponHeaders(), ...json }, body: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80]), check: pandaponError(400, 40001) }),
      () => ({ kind: "TOP bad sign", method: "POST", path: TOP, headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(new URLSearchParams(topParams({ refund_detail_order_req: REFUND_REQ }, { sign: "0".repeat(32) })).toString()), check: topError(25) }),
      () => ({ kind: "TOP unknown method", method: "POST", path: TOP, headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(new URLSearchParams(topParams({}, { method: "taobao.pc.nothing" })).toString()), check: topError(22) }),
      () => ({ kind: "TOP missing struct member", method: "POST", path: TOP, headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(new URLSearchParams(topParams({ refund_detail_order_req: '{"buyer_id":1}' })).toString()), check: topError(40) }),
    ];
    return { app, burned, good, bad, pandaponHeaders };
  }

  async function fire(pool: Pool, probe: Probe): Promise<string | undefined> {
    const res = await pool.request({ method: probe.method as "POST", path: probe.path, headers: probe.headers, body: probe.body });
    const text = await res.body.text();
    const problem = probe.check(res.statusCode, text);
    return problem && `${probe.kind}: ${problem}`;
  }

  it("answers each of 2000 bad requests with its own error and each of 500 good ones with a valid 200, then keeps serving", async () => {
    const { app, burned, good, bad } = setupBurst();
    const running = await startServer(app, 0, "127.0.0.1");
    const pool = new Pool(running.url, { connections: 16 });
    try {
      for (const headers of burned) {
        const res = await pool.request({ method: "POST", path: INFO, headers: { ...headers, "content-type": "application/json" }, body: '{"refundId":"TQ1"}' });
        expect(res.statusCode).toBe(200);
        await res.body.dump();
      }
      // Interleaved deterministically: one good request after every four bad ones.
      const probes: Probe[] = [];
      for (let i = 0; i < 2000; i += 1) {
        probes.push(bad[i % bad.length]!(i));
        if (i % 4 === 3) probes.push(good(i));
      }
      expect(probes.filter((p) => p.kind === "good")).toHaveLength(500);
      const problems = (await runBounded(probes, 32, (probe) => fire(pool, probe))).filter(Boolean);
      expect(problems.slice(0, 5)).toEqual([]);
      const after = (await runBounded(Array.from({ length: 50 }, (_, i) => good(10_000 + i)), 8, (probe) => fire(pool, probe))).filter(Boolean);
      expect(after).toEqual([]);
    } finally {
      await pool.close();
      await running.close();
    }
  });

  it("answers malformed HTTP framing with Node's 400 and goes on answering well-formed requests", async () => {
    const { app, good } = setupBurst();
    const running = await startServer(app, 0, "127.0.0.1");
    const { port } = new URL(running.url);
    const rawExchange = (bytes: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () => socket.end(bytes));
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString("latin1")));
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
      });
    try {
      for (const framing of [
        "POST /alibaba/refund/info HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        "POST /alibaba/refund/info HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST /alibaba/refund/info HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n{}\r\n0\r\n\r\n",
        "GARBAGE\r\n\r\n",
        `GET /router/rest HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      ]) {
        const answer = await rawExchange(framing);
        expect(answer).toMatch(/^HTTP\/1\.1 4(00|31) /);
      }
      const pool = new Pool(running.url, { connections: 1 });
      expect(await fire(pool, good(1))).toBeUndefined();
      await pool.close();
    } finally {
      await running.close();
    }
  });
});

// ── Bounded by bytes: echoes capped, journal and answer cache (issue 16) ──────────────────────

describe("error messages cap what they echo of a request", () => {
  const MB = "x".repeat(1_000_000);
  const LONG_PATH = `/open/order/refund/cancel/${"7".repeat(10_000)}`;
  /** Each case: a request whose text an error message would repeat, and the error it gets. */
  const cases: Array<{ name: string; options?: Parameters<typeof setup>[0]; request(s: ReturnType<typeof setup>): Promise<{ text: string; message: string }> }> = [
    {
      name: "a 1 MB TOP parameter in a signature error's string-to-sign (sub_msg)",
      async request({ send, topParams }) {
        const form = new URLSearchParams(topParams({ refund_detail_order_req: REFUND_REQ, session: MB }, { sign: "0".repeat(32) })).toString();
        const res = await send("POST", TOP, { "content-type": "application/x-www-form-urlencoded" }, Buffer.from(form));
        expect(JSON.parse(res.text).error_response.code).toBe(25);
        return { text: res.text, message: JSON.parse(res.text).error_response.sub_msg };
      },
    },
    {
      name: "a 1 MB TOP parameter in XML",
      async request({ send, topParams }) {
        const form = new URLSearchParams(topParams({ refund_detail_order_req: REFUND_REQ, session: MB }, { sign: "0".repeat(32), format: undefined })).toString();
        const res = await send("POST", TOP, { "content-type": "application/x-www-form-urlencoded" }, Buffer.from(form));
        expectTopAnswer(res);
        const tree = parseXmlTree(res.text);
        return { text: res.text, message: tree.ok ? (tree.value.children.find((c) => c.name === "sub_msg")?.text ?? "") : "" };
      },
    },
    {
      name: "a TOP version of 500,000 digits",
      async request({ send, topParams }) {
        const form = new URLSearchParams(topParams({ refund_detail_order_req: REFUND_REQ }, { v: "2".repeat(500_000) })).toString();
        const res = await send("POST", TOP, { "content-type": "application/x-www-form-urlencoded" }, Buffer.from(form));
        return { text: res.text, message: JSON.parse(res.text).error_response.sub_msg };
      },
    },
    {
      name: "a 1 MB PandaPon body in a signature error's string-to-sign (a scheme that signs the body)",
      options: { pandapon: { scheme: { includeBody: true } } },
      async request({ send, pandaponHeaders }) {
        const res = await send("POST", INFO, { ...pandaponHeaders({ signature: "0".repeat(32) }), "content-type": "application/json" }, Buffer.from(JSON.stringify({ refundId: "TQ1", note: MB })));
        expect(JSON.parse(res.text).code).toBe(40104);
        return { text: res.text, message: JSON.parse(res.text).msg };
      },
    },
    {
      name: "an unknown PandaPon path of 10,000 characters",
      async request({ send, pandaponHeaders }) {
        const res = await send("POST", `/nothing/${"a".repeat(10_000)}`, { ...pandaponHeaders(), "content-type": "application/json" }, Buffer.from("{}"));
        expect(JSON.parse(res.text).code).toBe(40401);
        return { text: res.text, message: JSON.parse(res.text).msg };
      },
    },
    {
      name: "a path parameter of 10,000 characters with the wrong method",
      async request({ send, pandaponHeaders }) {
        const res = await send("POST", LONG_PATH, { ...pandaponHeaders(), "content-type": "application/json" }, Buffer.from("{}"));
        expect(JSON.parse(res.text).code).toBe(40501);
        return { text: res.text, message: JSON.parse(res.text).msg };
      },
    },
    {
      name: "an unknown /__mock/ path of 10,000 characters",
      async request({ send }) {
        const res = await send("GET", `/__mock/${"a".repeat(10_000)}`, {});
        expect(res.status).toBe(404);
        return { text: res.text, message: JSON.parse(res.text).error };
      },
    },
  ];

  for (const { name, options, request: ask } of cases) {
    it(`caps ${name} at 200 characters a value and a few KB a message, saying how much was left out`, async () => {
      const s = setup(options);
      const { text, message } = await ask(s);
      expect(message).toMatch(/…\(\d+ more characters\)/);
      expect(message.length).toBeLessThanOrEqual(4_096 + 40);
      expect(text.length).toBeLessThan(6_000);
      const journal = getCore(s.app).readJournal();
      for (const entry of journal) {
        expect(entry.message.length).toBeLessThanOrEqual(4_096 + 40);
        expect(entry.operation.length).toBeLessThanOrEqual(200 + 40);
      }
    });
  }

  it("caps a 40002 violation list's echoed paths at 200 characters each", () => {
    const long = `items[0].${"k".repeat(5_000)}`;
    const text = describeViolations([{ path: long, rule: "type", message: "must be string", severity: "error" }]);
    expect(text).toBe(`items[0].${"k".repeat(191)}…(4809 more characters) must be string`);
  });
});

describe("stores bounded by bytes under 1 MB requests on loopback", () => {
  const MIB = 1024 * 1024;
  /** A full garbage collection, so what is measured is what the mock keeps. */
  const collectGarbage = exposeGc();

  it("keeps the journal, its answer and what it holds on to under journalBytes after 200 TOP requests of 1 MB each", async () => {
    const journalBytes = 256 * 1024;
    const { app, topParams } = setup({ journalBytes, log: undefined });
    const running = await startServer(app, 0, "127.0.0.1");
    const pool = new Pool(running.url, { connections: 4 });
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    try {
      // The clock stands still, so each request can be sent many times: a wrong signature echoes the
      // 1 MB session in the string-to-sign, an unknown method echoes itself, a good one is answered.
      const huge = "x".repeat(1_000_000);
      const form = (params: Record<string, string>) => Buffer.from(new URLSearchParams(params).toString());
      const kinds = [
        { body: form(topParams({ refund_detail_order_req: REFUND_REQ, session: huge }, { sign: "0".repeat(32) })), code: 25 },
        { body: form(topParams({ refund_detail_order_req: REFUND_REQ, session: huge })), code: undefined },
        { body: form(topParams({}, { method: `taobao.pc.${huge}` })), code: 22 },
      ];
      await runBounded(Array.from({ length: 200 }, (_, i) => kinds[i % kinds.length]!), 4, async ({ body, code }) => {
        const res = await pool.request({ method: "POST", path: TOP, headers: { "content-type": "application/x-www-form-urlencoded" }, body });
        expect(JSON.parse(await res.body.text()).error_response?.code).toBe(code);
      });
      const sizes = getCore(app).readStoreSizes().journal;
      expect(sizes.bytes).toBeLessThanOrEqual(journalBytes);
      // The bytes, not the 200 entries, are what limit it here.
      expect(sizes.entries).toBeLessThan(200);
      const journal = await pool.request({ method: "GET", path: "/__mock/journal" });
      const text = await journal.body.text();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(journalBytes);
      expect(JSON.parse(text).entries).toHaveLength(sizes.entries);
      // An entry must not keep the request text it was cut from (a method name sliced from a 1 MB body did: +1 MB each).
      collectGarbage();
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * MIB);
    } finally {
      await pool.close();
      await running.close();
    }
  }, 120_000);

  it("keeps the answer cache under answerCacheBytes, heap and RSS with it, after 150 distinct ~1 MB PandaPon bodies sent twice", async () => {
    const answerCacheBytes = 32 * MIB;
    const { app, pandaponHeaders } = setup({ answerCacheBytes, validateResponses: false, log: undefined });
    const running = await startServer(app, 0, "127.0.0.1");
    const pool = new Pool(running.url, { connections: 4 });
    collectGarbage();
    const before = process.memoryUsage();
    try {
      const filler = "x".repeat(1_000_000);
      // Each body twice in a row: an answer is kept from its request's second sight.
      await runBounded(Array.from({ length: 300 }, (_, i) => i >> 1), 4, async (n) => {
        const body = Buffer.from(`{"refundId":"TQ${n}","note":"${filler}"}`);
        const res = await pool.request({ method: "POST", path: INFO, headers: { ...pandaponHeaders(), "content-type": "application/json" }, body });
        expect(res.statusCode).toBe(200);
        await res.body.dump();
      });
      const sizes = getCore(app).readStoreSizes().answerCache;
      expect(sizes.bytes).toBeLessThanOrEqual(answerCacheBytes);
      expect(sizes.bytes).toBeGreaterThan(answerCacheBytes / 2);
      collectGarbage();
      const after = process.memoryUsage();
      // Bounded by entries only, the cache would keep the 150 request texts: +150 MB of heap.
      expect(after.heapUsed - before.heapUsed).toBeLessThan(answerCacheBytes + 40 * MIB);
      expect(after.rss - before.rss).toBeLessThan(200 * MIB);
    } finally {
      await pool.close();
      await running.close();
    }
  }, 120_000);
});

// ── Replays and the nonce-str length (issue 16) ──────────────────────────────────────────────

describe("replays after a flood of newer nonces, and nonce-str past its documented length", () => {
  /** A mock on a clock the test moves; its pipeline is also called in-process (150,000 requests over HTTP take minutes). */
  function setupReplay(options: Parameters<typeof setupMock>[0] = {}) {
    let now = NOW;
    const mock = setupMock({ now: () => now, validateResponses: false, ...options });
    const core = getCore(mock.app);
    const signed = (overrides: Record<string, string | undefined> = {}) => ({ ...mock.pandaponHeaders({ timestamp: String(now), ...overrides }), "content-type": "application/json" });
    const handle = (headers: Record<string, string>) => answeredNow(handlePandapon(core, { method: "POST", path: INFO, query: "", headers, rawBody: Buffer.from('{"refundId":"TQ1"}') }));
    const advance = (ms: number) => {
      now += ms;
    };
    return { ...mock, signed, handle, advance };
  }

  it("refuses a captured request replayed over HTTP after 150,000 newer nonces, inside the window", async () => {
    const { app, signed, handle, advance } = setupReplay();
    const captured = [signed()];
    expect(JSON.parse(handle(captured[0]!).body).code).toBe(200);
    let accepted = 0;
    for (let i = 1; i <= 150_000; i += 1) {
      if (i % 1000 === 0) advance(2_000); // 150,000 requests over 300 s: the first one's timestamp stays inside ±600 s
      const headers = signed();
      if (i === 50_000 || i === 100_000) captured.push(headers);
      if (handle(headers).status === 200) accepted += 1;
    }
    expect(accepted).toBe(150_000);
    for (const headers of captured) {
      const replay = await request(app).post(INFO).set(headers).send('{"refundId":"TQ1"}');
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ code: 40103, data: null, msg: expect.stringContaining("Replayed nonce-str") });
    }
  });

  const longNonces = [
    ["33 characters", "a".repeat(33)],
    ["15 KB", "f".repeat(15 * 1024)],
  ] as const;
  for (const [name, nonce] of longNonces) {
    it(`refuses a correctly signed nonce-str of ${name} with 401 and code 40105, before remembering it`, async () => {
      const { app, signed } = setupReplay();
      const res = await request(app).post(INFO).set(signed({ "nonce-str": nonce })).send('{"refundId":"TQ1"}');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 40105, data: null, msg: expect.stringContaining("32 characters") });
      expect(res.text.length).toBeLessThan(1000);
      expect(getCore(app).nonces.size).toBe(0);
    });
  }

  it("accepts a nonce-str of exactly 32 characters", async () => {
    const { app, signed } = setupReplay();
    const res = await request(app).post(INFO).set(signed({ "nonce-str": "b".repeat(32) })).send('{"refundId":"TQ1"}');
    expect(res.body.code).toBe(200);
  });

  it("keeps nothing of 10,000 refused 15 KB nonce-str values (they once took the heap past a gigabyte)", () => {
    const { app, signed, handle } = setupReplay();
    const long = "e".repeat(15 * 1024 - 8);
    const gc = exposeGc();
    gc();
    const before = process.memoryUsage().heapUsed;
    let refused = 0;
    for (let i = 0; i < 10_000; i += 1) {
      // A flat string of its own, as Node's parser makes every header value (not a rope sharing `long`).
      const headers = signed({ "nonce-str": Buffer.from(`${String(i).padStart(8, "0")}${long}`).toString("latin1") });
      if (JSON.parse(handle(headers).body).code === 40105) refused += 1;
    }
    gc();
    // 10,000 × 15 KB is 150 MB if any part of the nonces were kept (the app, used below, is still alive).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
    expect(refused).toBe(10_000);
    expect(getCore(app).nonces.size).toBe(0);
  });

  it("lets the nonce-length error be overridden like the others", async () => {
    const { app, signed } = setupReplay({ pandapon: { errors: { NONCE_TOO_LONG: { status: 400, code: 1001 } } } as never });
    const res = await request(app).post(INFO).set(signed({ "nonce-str": "c".repeat(33) })).send('{"refundId":"TQ1"}');
    expect([res.status, res.body.code]).toEqual([400, 1001]);
  });
});

describe("foreign Host and Origin on the mock's own endpoints (/__mock/*)", () => {
  const loopbackHost = fc.tuple(fc.constantFrom("localhost", "LocalHost", "127.0.0.1", "127.255.0.9", "[::1]"), fc.option(fc.integer({ min: 1, max: 65535 }))).map(([name, port]) => (port === null ? name : `${name}:${port}`));
  /** Names that look local but are not: what a rebinding attacker's page sends, and other tricks. */
  const foreignHost = fc.oneof(
    fc.tuple(loopbackHost, fc.constantFrom(".nip.io", ".evil.example", "@evil.example", ".", "%2e", ":", ":99999999")).map(([host, tail]) => host + tail),
    fc.tuple(fc.constantFrom("evil.", "x.", "127.0.0.1.", "0."), loopbackHost).map(([head, host]) => head + host),
    fc.constantFrom("", "evil.example", "0.0.0.0", "[::]", "[::2]", "10.0.0.1:4010", "127.0.0.256", "127.1", "2130706433", "0x7f.0.0.1", "localhost:4010:4010", "l0calhost", "[::ffff:127.0.0.1]"),
    fc.stringMatching(/^[a-z0-9.-]{1,40}(:\d{1,5})?$/).filter((host) => !/^(localhost|127(\.\d{1,3}){3})(:\d+)?$/i.test(host)),
  );
  const stateChanging = fc.constantFrom("post", "put", "patch", "delete");

  it("refuses every foreign Host with 403 JSON {error} and serves every loopback name, on any admin path, never a 5xx", async () => {
    const { app } = setup();
    const running = await startServer(app, 0, "127.0.0.1");
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(foreignHost.map((host) => ({ host, local: false })), loopbackHost.map((host) => ({ host, local: true }))), fc.constantFrom("/__mock/health", "/__mock/journal", "/__mock/nothing"), async ({ host, local }, path) => {
          const res = await request(running.url).get(path).set("Host", host);
          if (local) {
            expect(res.status, `${host} ${res.text}`).not.toBe(403);
          } else {
            expect(res.status, `${JSON.stringify(host)} ${res.text}`).toBe(403);
            expect(Object.keys(res.body)).toEqual(["error"]);
            expect(res.text).not.toContain('"entries"');
          }
        }),
        { numRuns: 150, seed: 4016 },
      );
    } finally {
      await running.close();
    }
  });

  it("refuses every state-changing request with a foreign Origin before any route, and lets the mock's own origin through", async () => {
    const { app } = setup();
    const running = await startServer(app, 0, "127.0.0.1");
    const origin = fc.oneof(
      fc.constantFrom("null", "http://evil.example", "https://evil.example", "http://localhost:3000", "http://127.0.0.1:4011", "http://localhost:4010.evil.example", "file://", "http://[::1]:4010"),
      fc.tuple(fc.constantFrom("http", "https"), fc.stringMatching(/^[a-z0-9-]{1,20}(\.[a-z]{2,6})?$/), fc.option(fc.integer({ min: 1, max: 65535 }))).map(([scheme, name, port]) => `${scheme}://${name}${port === null ? "" : `:${port}`}`),
    );
    try {
      await fc.assert(
        fc.asyncProperty(stateChanging, origin, async (method, from) => {
          const res = await request(running.url)[method as "post"]("/__mock/reset").set("Host", "localhost:4010").set("Origin", from);
          expect(res.status, `${method} from ${from}: ${res.text}`).toBe(403);
          expect(res.body.error).toContain("cross-origin");
        }),
        { numRuns: 100, seed: 4017 },
      );
      const own = await request(running.url).delete("/__mock/reset").set("Host", "localhost:4010").set("Origin", "http://localhost:4010");
      expect(own.status).toBe(404);
    } finally {
      await running.close();
    }
  });
});
