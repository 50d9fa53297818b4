import { Agent, request as httpRequest } from "node:http";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { CLOCK_MAX_MS, CLOCK_MIN_MS } from "../mock/state/virtual-clock.js";
import { jsonText, numberText } from "./helpers/json-text.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

/**
 * The admin API (/__mock/*) of a stateful mock under hostile input: random methods, paths with
 * hostile segments, query strings, content types, encodings and bodies, over real HTTP, with an
 * admin token, a second key whose entities the requests never name, and stored entities in place.
 */

const TOKEN = "adm-tok-5e0c9b1d7a3f4e2c8b6d0a9f1e3c5b7d";
/** A key the random requests never name: its entities must come out of the run exactly as they went in. */
const KEY_B = { accessKey: "b2f6c1d8e4a94f0b9c7d3e5a1f8b2c6d", secret: "sec-b-7d1e9c3a5b0f4e8d2c6a9b1e7f3d5c0a", userId: "2200000000001", developId: "1234567890123456789" };
const A = DEMO_PANDAPON.accessKey;
/** The password of a callback URL the requests may set: shown nowhere, as the pushes' URLs. */
const URL_PASSWORD = "pw-c3e1a7b9d5f24a60";
const SECRETS = [DEMO_PANDAPON.secret, DEMO_TOP.secret, KEY_B.secret, TOKEN, URL_PASSWORD];
const STARTED_AT = Date.now();
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
/** Longest error message an answer may hold: it repeats at most a capped part of the request. */
const MAX_ERROR_LENGTH = 2_000;
const TYPES = ["alibaba-refund", "alibaba-cart", "alibaba-order", "address", "taobao-cart-item", "taobao-order", "taobao-reverse-order", "top-dispute", "top-order"];
const ACTIONS = ["create", "add-shop", "seller-agree", "seller-reject", "close", "off-sale", "remove-item", "pay", "cancel"];
const OPERATIONS = ["/alibaba/refund/info", "taobao.pc.refund.detail"];

interface Sent {
  method: string;
  path: string;
  /** A list: the header sent once per value. */
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function weighted<T>(...choices: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

/** One request over a keep-alive connection; the answer as text. */
function send(base: URL, agent: Agent, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...sent.headers, ...(sent.body !== undefined ? { "content-length": String(sent.body.length) } : {}) };
    const req = httpRequest({ host: base.hostname, port: base.port, method: sent.method, path: sent.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${sent.method} ${sent.path.slice(0, 200)} within 15 s`)));
    req.on("error", reject);
    req.end(sent.body);
  });
}

function describeSent(sent: Sent): string {
  return `${sent.method} ${sent.path.slice(0, 300)} ${JSON.stringify(sent.headers).slice(0, 300)} ${sent.body?.toString("utf8").slice(0, 300) ?? ""}`;
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} holds the secret ${secret}`).toBe(false);
}

function expectPrototypeIntact(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
}

/** Every admin answer: under 500, JSON (HEAD: none), a 4xx with a non-empty `error` of bounded length, no secret. */
function expectAdminAnswer(sent: Sent, answer: Answer): void {
  const context = `${describeSent(sent)}\n→ ${answer.status} ${answer.text.slice(0, 400)}`;
  expect(answer.status, context).toBeGreaterThanOrEqual(200);
  expect(answer.status, context).toBeLessThan(500);
  expectNoSecret(answer.text, context);
  if (sent.method === "HEAD") return;
  expect(answer.contentType, context).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as unknown;
  expect(body !== null && typeof body === "object" && !Array.isArray(body), context).toBe(true);
  if (answer.status < 400) return;
  const { error } = body as { error?: unknown };
  expect(typeof error, context).toBe("string");
  expect((error as string).length, context).toBeGreaterThan(0);
  expect((error as string).length, context).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
}

/** The clock as GET /__mock/clock shows it: readable, its ISO time its epoch ms, within the clock's range. */
function expectSaneClock(answer: Answer, context: string): void {
  expect(answer.status, `${context}\nGET /__mock/clock → ${answer.text.slice(0, 300)}`).toBe(200);
  const clock = JSON.parse(answer.text) as { now: string; epochMs: number };
  expect(Number.isSafeInteger(clock.epochMs), context).toBe(true);
  expect(Date.parse(clock.now), context).toBe(clock.epochMs);
  expect(clock.epochMs, context).toBeGreaterThanOrEqual(CLOCK_MIN_MS);
  // A running clock moved to the end of the range runs on past it as real time passes.
  expect(clock.epochMs, context).toBeLessThanOrEqual(CLOCK_MAX_MS + (Date.now() - STARTED_AT));
}

// ── Arbitraries ──────────────────────────────────────────────────────────────────────────────

/** Texts that trip parsers and lookups: prototype keys, number look-alikes, controls, unicode, long runs. */
const hostileText = weighted(
  [4, fc.constantFrom("", " ", ".", "..", "...", "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "null", "undefined", "NaN", "Infinity", "-1", "0", "1e400", "-1e400", "0x1F", "9".repeat(25), "[object Object]", "{}", "[]", "中文", "😀", "\u0000", "a\nb", "%", "%ZZ", "a/b", "a?b", "a#b")],
  [3, fc.string({ maxLength: 12 })],
  [2, fc.string({ unit: "grapheme", maxLength: 8 })],
  [1, fc.integer({ min: 201, max: 4_000 }).map((n) => "x".repeat(n))],
);
/** Percent-escapes: valid (a slash, NUL, dots, CJK) and malformed (cut short, not hex, overlong, a lone surrogate). */
const escapes = fc.constantFrom("%", "%Z", "%ZZ", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "%FF", "%00", "%2F", "%2e%2e", "%5F%5Fproto%5F%5F", "%20", "%E4%B8%AD", "%F0%9F%98%80", "%%", "%2", "%u0041");

/** A path segment, as it goes on the wire: a valid value, or a hostile one. */
function segment(valid: readonly string[]): fc.Arbitrary<string> {
  return weighted(
    [6, fc.constantFrom(...valid).map(encodeURIComponent)],
    [3, hostileText.map(encodeURIComponent)],
    [2, escapes],
    [1, fc.constantFrom(".", "..", "")],
    [1, fc.tuple(fc.constantFrom(...valid).map(encodeURIComponent), escapes).map(([value, tail]) => value + tail)],
  );
}

const queryKey = fc.constantFrom("tenant", "type", "limit", "after", "state", "operation", "status", "since", "__proto__", "constructor", "tenant[]", "tenant[x]", "", "%ZZ", "type%00");
const queryValue = weighted(
  [3, fc.constantFrom(A, ...TYPES, ...OPERATIONS, "1", "100", "1000", "1001", "0", "-1", "1e3", "pending", "done", "given-up", '{"tenant":"t","type":"alibaba-cart","id":"1"}', '{"tenant":1}', "null", "2025-05-14T12:00:00Z", "200", "999").map(encodeURIComponent)],
  [3, hostileText.map(encodeURIComponent)],
  [1, escapes],
);
/** A query string (keys repeated, prototype keys, malformed escapes), or none. */
const queryText = weighted(
  [4, fc.constant("")],
  [3, fc.array(fc.tuple(queryKey, queryValue), { minLength: 1, maxLength: 5 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`)],
);

const deepText = fc.tuple(fc.integer({ min: 60, max: 3_000 }), fc.boolean()).map(([depth, arrays]) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));
/** Callback URLs: none resolves a name (no DNS), the closed port 1 refuses at once. */
const URLS = ["http://127.0.0.1:1/cb", `http://user:${URL_PASSWORD}@127.0.0.1:1/cb`, "https://127.0.0.1:1/", "ftp://127.0.0.1/", "javascript:alert(1)", "http://[::1", "/relative", "http://127.0.0.1:99999/", "x".repeat(2_100)];
const PLAIN_URLS = URLS.filter((url) => !url.includes(URL_PASSWORD));
/** JSON values as text: numbers beyond doubles, times, wrong types, coercion traps, pollution, deep nesting, hostile strings. */
const valueText = weighted(
  [3, numberText],
  [2, fc.constantFrom("-0", "1e400", "-1e400", "1e-400", "-0.999999e-420", "0.5", "-1", "8640000000000001", "-8640000000000001", "253402300800000", "9007199254740993", "1.7976931348623157e308", "123456789012345678901234567890", "0.99999999999999999")],
  [2, fc.constantFrom('"NaN"', '"Infinity"', '"-1"', '"1e3"', '"0"', '"2025-05-14T12:00:00Z"', '"+275760-09-13T00:00:00.000Z"', '"-271821-04-20T00:00:00.000Z"', '"1969-12-31T23:59:59Z"', '"3000-01-01"')],
  [4, fc.constantFrom("null", "true", "false", "[]", "{}", '{"toString":1,"valueOf":1}', '{"toString":1}', '[{"toString":1}]', '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '["__proto__"]')],
  // The URL with a password goes only where URLs go (urls, url): the answers echo other members.
  [1, fc.constantFrom(`"${A}"`, ...PLAIN_URLS.map((url) => JSON.stringify(url)))],
  [3, hostileText.map((text) => JSON.stringify(text))],
  [2, jsonText],
  [1, deepText],
);
const memberKey = weighted(
  [4, fc.constantFrom("tenant", "action", "input", "advanceSeconds", "set", "freeze", "type", "id", "messageType", "url", "urls", "name", "match", "answer")],
  [2, fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty")],
  [1, fc.string({ maxLength: 8 })],
);
const objectText = (members: fc.Arbitrary<Array<[string, string]>>) => members.map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);
const randomObject = objectText(fc.array(fc.tuple(memberKey, valueText), { maxLength: 5 }));
const malformed = fc.constantFrom("{", "}", "[", '{"a":}', "nul", "[1,", "'x'", "\uFEFF{}", '{"a":1}x', '{"a":1,}', "\u0000", '{"__proto__":', "NaN", "Infinity", "-", '{"advanceSeconds": NaN}', '{"set": Infinity}', '{"a" 1}', "\"unterminated");
/** A body: mostly a JSON object of the routes' members, else any JSON, malformed JSON, deep nesting, nothing, or a long one. */
const bodyText = weighted(
  [6, randomObject],
  [2, jsonText],
  [2, malformed],
  [1, deepText],
  [1, fc.constant("")],
  [1, fc.tuple(fc.integer({ min: 10_000, max: 300_000 }), fc.constantFrom("x", "中", "9")).map(([n, c]) => `{"input":"${c.repeat(n)}"}`)],
);

/** URL lists for PUT /__mock/callback-urls: valid ones (one with a password), invalid ones, too many. */
const urlsValue = weighted([3, fc.array(fc.constantFrom(...URLS.slice(0, 3)), { minLength: 1, maxLength: 3 }).map((urls) => JSON.stringify(urls))], [1, fc.array(fc.constantFrom(...URLS), { maxLength: 12 }).map((urls) => JSON.stringify(urls))], [1, valueText]);
/** A body of the route's own members (hostile values, prototype keys among them), else any body. */
function routeBody(keys: readonly string[], values: Partial<Record<string, fc.Arbitrary<string>>> = {}): fc.Arbitrary<string> {
  const member = fc.constantFrom(...keys).chain((key) => fc.tuple(fc.constant(key), values[key] ? weighted([2, values[key]], [1, valueText]) : valueText));
  const members = fc.array(weighted([6, member], [1, fc.tuple(memberKey, valueText)]), { minLength: 1, maxLength: 4 });
  return weighted([3, objectText(members)], [1, bodyText]);
}
const tenantValue = weighted([3, fc.constant(`"${A}"`)], [1, valueText]);

/** Rules: valid ones (answers of the tables, faults, latencies) and ones with prototype keys, huge numbers, coercion traps. */
const EFFECTS: Record<string, readonly string[]> = {
  error: ['"toString"', '"constructor"', '"__proto__"', '"hasOwnProperty"', '"SERVER_ERROR"', '"INVALID_ARGUMENTS"', '{"code":50001,"msg":"x"}', '{"code":1e400,"msg":"x"}', '{"code":1,"msg":"x","status":9007199254740993}', '{"code":1,"msg":{"toString":1}}'],
  top: ['"toString"', '"valueOf"', '"APP_CALL_LIMITED"', '"INVALID_ARGUMENTS"', '{"code":7,"msg":"x","sub_code":"isv.x"}', '{"code":7,"msg":"x","sub_msg":"y"}'],
  http: ["502", "500", '"502"', "1e400"],
  fault: ['"connection-reset"', '"empty-response"', '"toString"', '{"kind":"random-bytes","bytes":9007199254740993}', '{"kind":"no-answer","holdMs":123456789012345678901}', '{"kind":"constructor"}'],
  latency: ['{"fixedMs":1}', '{"fixedMs":123456789012345678901}', '{"fixedMs":1e400}', '{"minMs":5,"maxMs":1}', '{"medianMs":1,"sigma":"x"}', '{"medianMs":1,"sigma":0.5,"maxMs":-0}'],
};
const ruleAnswer = weighted(
  [3, fc.constantFrom(...Object.keys(EFFECTS)).chain((effect) => fc.constantFrom(...EFFECTS[effect]!).map((value) => `{"${effect}":${value}}`))],
  [1, objectText(fc.array(fc.tuple(fc.constantFrom("error", "top", "http", "fault", "latency", "__proto__"), weighted([3, fc.constantFrom(...Object.values(EFFECTS).flat())], [1, valueText])), { minLength: 1, maxLength: 2 }))],
);
const ruleMatch = objectText(
  fc.array(
    fc.tuple(
      fc.constantFrom("api", "operation", "tenant", "body", "params", "times", "probability", "onlyWhenNamed", "__proto__", "constructor"),
      weighted([2, fc.constantFrom('"pandapon"', '"top"', '"/alibaba/refund/info"', '"taobao.pc.refund.detail"', "1", "0.5", "123456789012345678901234567890", '{"refundId":{"toString":1}}', '{"refundId":"TQ8651493722961198"}', '{"toString":"x"}', '{"__proto__":"x"}', `"${A}"`, "true")], [1, valueText]),
    ),
    { maxLength: 3 },
  ),
);
const ruleText = weighted(
  [3, fc.tuple(ruleAnswer, fc.option(ruleMatch, { nil: undefined })).map(([answer, match]) => `{"answer":${answer}${match === undefined ? "" : `,"match":${match}`}}`)],
  [1, objectText(fc.array(weighted([4, fc.tuple(fc.constant("answer"), ruleAnswer)], [2, fc.tuple(fc.constant("match"), ruleMatch)], [1, fc.tuple(fc.constant("name"), valueText)], [1, fc.tuple(memberKey, valueText)]), { minLength: 1, maxLength: 3 }))],
);
const rulesBody = weighted([4, ruleText], [1, fc.array(ruleText, { maxLength: 3 }).map((rules) => `[${rules.join(",")}]`)], [1, bodyText]);

/** Clock moves: valid ones (so timers fire), and the hostile numbers and times above. */
const clockValue = weighted([3, fc.integer({ min: 0, max: 40 * 86_400 }).map(String)], [1, fc.constantFrom('"2025-06-01T00:00:00Z"', String(Date.UTC(2025, 5, 1)), '"2999-12-31T23:59:59.999Z"', "true", "false")], [4, valueText]);
const clockBody = weighted(
  [4, fc.tuple(fc.constantFrom("advanceSeconds", "set", "freeze"), clockValue).map(([k, v]) => `{"${k}":${v}}`)],
  [1, objectText(fc.array(fc.tuple(fc.constantFrom("advanceSeconds", "set", "freeze", "__proto__"), clockValue), { maxLength: 3 }))],
  [1, bodyText],
);
/** A reset always names a tenant (last, not null): a full reset is no hostile input, and the key B must survive the run. */
const resetBody = weighted(
  [3, fc.tuple(fc.array(fc.tuple(memberKey, valueText), { maxLength: 2 }), weighted([1, fc.constant(`"${A}"`)], [3, valueText.filter((v) => v.trim() !== "null")])).map(([pairs, tenant]) => `{${[...pairs.filter(([k]) => k !== "tenant"), ["tenant", tenant]].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`)],
  // Not "\uFEFF{}": a byte-order mark is white space before JSON, so that is {} (everything reset).
  [1, fc.oneof(malformed.filter((text) => !text.includes("{}")), jsonText.filter((text) => !text.trimStart().startsWith("{")), fc.constantFrom("[]", "null", "7", '"x"'))],
);

/** A route: its method, paths and bodies (`bodyAlways`: never sent without one). */
type Route = { method: string; path: fc.Arbitrary<string>; body?: fc.Arbitrary<string>; bodyAlways?: boolean };

function toRoutes(ids: readonly string[]): Route[] {
  const type = segment(TYPES);
  const id = segment(ids);
  const action = segment(ACTIONS);
  const tenantSegment = segment([A]);
  const join = (...parts: Array<fc.Arbitrary<string> | string>) => fc.tuple(...parts.map((p) => (typeof p === "string" ? fc.constant(p) : p))).map((all) => all.join("/"));
  return [
    { method: "GET", path: fc.constantFrom("/__mock/health", "/__mock/operations", "/__mock/rules", "/__mock/entities/types", "/__mock/clock", "/__mock/callback-urls") },
    { method: "GET", path: fc.constantFrom("/__mock/journal", "/__mock/entities", "/__mock/pushes") },
    { method: "DELETE", path: fc.constantFrom("/__mock/journal", "/__mock/rules") },
    { method: "DELETE", path: join("/__mock/rules", segment(["r1", "r2", "x"])) },
    { method: "POST", path: fc.constant("/__mock/rules"), body: rulesBody },
    { method: "GET", path: join("/__mock/entities", type, id) },
    { method: "POST", path: join("/__mock/entities", type), body: routeBody(["tenant", "action", "input"], { tenant: tenantValue, action: fc.constantFrom(...ACTIONS).map((a) => JSON.stringify(a)) }) },
    { method: "POST", path: join("/__mock/entities", type, id, "actions", action), body: routeBody(["tenant", "input"], { tenant: tenantValue }) },
    { method: "POST", path: fc.constant("/__mock/clock"), body: clockBody },
    { method: "POST", path: fc.constant("/__mock/reset"), body: resetBody, bodyAlways: true },
    { method: "POST", path: fc.constant("/__mock/pushes"), body: routeBody(["type", "id", "tenant", "messageType", "url"], { type: fc.constantFrom(...TYPES).map((t) => JSON.stringify(t)), id: fc.constantFrom(...ids).map((i) => JSON.stringify(i)), tenant: tenantValue, url: fc.constantFrom(...URLS).map((u) => JSON.stringify(u)) }) },
    { method: "POST", path: join("/__mock/pushes", segment(["1", "2", "0"]), "resend"), body: bodyText },
    { method: "PUT", path: join("/__mock/callback-urls", tenantSegment), body: routeBody(["urls"], { urls: urlsValue }) },
    { method: "DELETE", path: join("/__mock/callback-urls", tenantSegment) },
    { method: "POST", path: fc.constant("/__mock/callback-urls/verify"), body: routeBody(["tenant", "url"], { tenant: tenantValue, url: fc.constantFrom(...URLS).map((u) => JSON.stringify(u)) }) },
    { method: "GET", path: join("/__mock", segment(["health", "clock", "entities", "pushes"])) },
  ];
}

/** A route's request, or another method on one of the paths (never a POST to /__mock/reset: its bodies are its own). */
function toRequest(routes: Route[]): fc.Arbitrary<{ method: string; path: string; body?: string }> {
  const own = fc.oneof(...routes.map((route) => fc.tuple(route.path, route.body ? (route.bodyAlways ? route.body : fc.option(route.body, { nil: undefined, freq: 8 })) : fc.constant(undefined)).map(([path, body]) => ({ method: route.method, path, body }))));
  const other = fc
    .tuple(fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), fc.oneof(...routes.map((route) => route.path)), fc.option(bodyText, { nil: undefined }))
    .filter(([method, path]) => !(method === "POST" && path === "/__mock/reset"))
    .map(([method, path, body]) => ({ method, path, body }));
  return weighted([5, own], [1, other]);
}

const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "application/octet-stream", ";;;=", "");
const contentEncoding = weighted([6, fc.constant(undefined)], [1, fc.constantFrom("gzip", "deflate", "br", "identity", "x-unknown", "GZIP")]);

describe("the admin API under hostile input", () => {
  it("answers every random admin request under 500 with JSON ({error} for 4xx), leaks no secret, and leaves the state consistent", async () => {
    const logLines: string[] = [];
    const mock = await startStatefulMock({
      mock: { log: (line) => logLines.push(line), admin: { token: TOKEN }, pandapon: { keys: [{ ...DEMO_PANDAPON, developId: "1014533973088404335" }, KEY_B] } },
    });
    const base = new URL(mock.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const admin = async (method: string, path: string, body?: unknown) => {
      const sent: Sent = { method, path, headers: { ...auth, "content-type": "application/json" }, ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}) };
      return send(base, agent, sent);
    };
    const json = (answer: Answer) => JSON.parse(answer.text) as Record<string, unknown>;
    try {
      // The key B's entities: stored, no timers (the clock may move anywhere); the requests never name B.
      const cart = await admin("POST", `/__mock/entities/alibaba-cart/1000000000/actions/add-shop`, { tenant: KEY_B.accessKey });
      const other = await admin("POST", "/__mock/entities/alibaba-cart", { tenant: KEY_B.accessKey });
      expect([cart.status, other.status], cart.text + other.text).toEqual([200, 201]);
      const bIds = [json(cart).id as string, json(other).id as string];
      const bPaths = bIds.map((id) => `/__mock/entities/alibaba-cart/${id}?tenant=${KEY_B.accessKey}`);
      const bBefore = await Promise.all(bPaths.map(async (path) => json(await admin("GET", path))));
      for (const entity of bBefore) expect(entity).toMatchObject({ stored: true, timers: [] });
      const clientB = createPandaponClient({ baseUrl: mock.url, ...KEY_B, retries: 0 });
      const cartListBefore = await clientB.call("/v2/alibaba/cart/list", {});
      expect(cartListBefore.status).toBe(200);
      // The default key's entities, which the requests may act on.
      const aCart = json(await admin("POST", "/__mock/entities/alibaba-cart", {}));
      const ids = ["1000000000", aCart.id as string, "TQ8651493722961198", "1"];

      await fc.assert(
        fc.asyncProperty(
          toRequest(toRoutes(ids)),
          queryText,
          weighted([9, fc.constant(`Bearer ${TOKEN}`)], [1, fc.constantFrom("", "Bearer", `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN)]),
          weighted([3, fc.constant("application/json")], [1, contentType]),
          contentEncoding,
          fc.boolean(),
          async ({ method, path, body }, query, authorization, type, encoding, encode) => {
            let bytes = body === undefined ? undefined : Buffer.from(body);
            if (bytes && encoding && encode && /^gzip$/i.test(encoding)) bytes = gzipSync(bytes);
            const headers: Record<string, string> = { authorization, ...(bytes ? { "content-type": type } : {}), ...(encoding && bytes ? { "content-encoding": encoding } : {}) };
            const sent: Sent = { method, path: path + query, headers, ...(bytes ? { body: bytes } : {}) };
            const answer = await send(base, agent, sent);
            expectAdminAnswer(sent, answer);
            if (path === "/__mock/rules" && answer.status === 201) {
              // The rules taken are applied to a signed request of each API (whatever they answer, the mock lives on), then removed.
              await Promise.allSettled([mock.pandapon.call("/alibaba/refund/info", { refundId: "TQ8651493722961198" }, { timeoutMs: 300 }), mock.top.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: "10000001", buyer_id: 10000001 } }, { timeoutMs: 300 })]);
              expect((await admin("DELETE", "/__mock/rules")).status).toBe(200);
            }
            expectPrototypeIntact();
            expectSaneClock(await admin("GET", "/__mock/clock"), `after ${describeSent(sent)}`);
            for (const [index, path] of bPaths.entries()) expect(json(await admin("GET", path)), `after ${describeSent(sent)}`).toEqual(bBefore[index]);
          },
        ),
        { seed: 20250514, numRuns: 1000, endOnFailure: true },
      );

      // The key B's entities as they were, listed and read; the clock sane; rules listed, then cleared.
      for (const [index, path] of bPaths.entries()) expect(json(await admin("GET", path))).toEqual(bBefore[index]);
      expect((json(await admin("GET", `/__mock/entities?tenant=${KEY_B.accessKey}`)).entities as Array<{ id: string }>).map((e) => e.id).sort()).toEqual([...bIds].sort());
      expectSaneClock(await admin("GET", "/__mock/clock"), "after the run");
      expect((await admin("GET", "/__mock/rules")).status).toBe(200);
      expect((await admin("DELETE", "/__mock/rules")).status).toBe(200);
      // Every stored entity of the default key still readable.
      const listed = json(await admin("GET", `/__mock/entities?tenant=${A}&limit=1000`)).entities as Array<{ type: string; id: string }>;
      for (const entity of listed) expect((await admin("GET", `/__mock/entities/${entity.type}/${encodeURIComponent(entity.id)}`)).status).toBe(200);
      // Normal signed requests still answered: B's cart as before, and the default key's refund.
      const cartListAfter = await clientB.call("/v2/alibaba/cart/list", {});
      expect([cartListAfter.status, cartListAfter.data]).toEqual([200, cartListBefore.data]);
      const info = await mock.pandapon.call("/alibaba/refund/info", { refundId: "TQ8651493722961198" });
      expect(info.status, JSON.stringify(info.data)).toBe(200);
      expectNoSecret(logLines.join("\n"), "the log");
      expectNoSecret((await admin("GET", "/__mock/journal")).text, "the journal");
      expectPrototypeIntact();
    } catch (error) {
      // A 5xx's stack is in the log.
      console.error(`the mock's last log lines:\n${logLines.slice(-5).join("\n").slice(0, 8_000)}`);
      throw error;
    } finally {
      agent.destroy();
      await mock.stop();
    }
  }, 120_000);

  it("with an admin token, answers every hostile Authorization 401 JSON {error} (the exact bearer passes), never a 5xx, never the token", async () => {
    const logLines: string[] = [];
    const mock = await startStatefulMock({ mock: { log: (line) => logLines.push(line), admin: { token: TOKEN } } });
    const base = new URL(mock.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    /** Near misses of the token and the schemes around it, and values that trip parsers. */
    const authorization = weighted(
      [2, fc.constantFrom(`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER   ${TOKEN}  `)],
      [
        4,
        fc.constantFrom(
          "", " ", "Bearer", "Bearer ", `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN.toUpperCase()}`, `Bearer\t${TOKEN}`, `Bearer ${TOKEN}\t`, `Bearer ${TOKEN} ${TOKEN}`, `Bearer ${TOKEN},Bearer x`, `Bearer \u00a0${TOKEN}`,
          `${TOKEN}`, `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}`, `Token ${TOKEN}`, `Bearer ${encodeURIComponent(TOKEN)}`, `Bearer ${Buffer.from(TOKEN).toString("base64")}`, "Bearer __proto__", "Bearer constructor", "Bearer %00", `Bearer "${TOKEN}"`,
        ),
      ],
      [2, fc.tuple(fc.constantFrom("Bearer ", "bearer ", "", "Basic "), fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 60 })).map(([scheme, rest]) => scheme + rest)],
      [1, fc.integer({ min: 1_000, max: 8_000 }).map((n) => `Bearer ${TOKEN}${"a".repeat(n)}`)],
    );
    const target = fc.constantFrom<[string, string, string | undefined]>(
      ["GET", "/__mock/health", undefined],
      ["GET", "/__mock/clock", undefined],
      ["POST", "/__mock/clock", '{"advanceSeconds":1}'],
      ["DELETE", "/__mock/journal", undefined],
      ["GET", "/__mock/entities/%ZZ/1", undefined],
      ["PUT", "/__mock/nothing", "{"],
    );
    try {
      await fc.assert(
        fc.asyncProperty(authorization, target, fc.boolean(), async (value, [method, path, body], twice) => {
          const headers: Record<string, string | string[]> = { authorization: twice ? [value, `Bearer ${TOKEN}`] : value };
          const sent: Sent = { method, path, headers, ...(body !== undefined ? { body: Buffer.from(body) } : {}) };
          const answer = await send(base, agent, sent);
          expectAdminAnswer(sent, answer);
          // What the guard sees: the first of repeated Authorization headers (Node drops the others), without the white space around it (HTTP's OWS).
          const valid = /^Bearer +(\S+) *$/i.exec(value.replace(/^[ \t]+|[ \t]+$/g, ""))?.[1] === TOKEN;
          if (valid) {
            expect(answer.status, describeSent(sent)).not.toBe(401);
          } else {
            expect(answer.status, `${describeSent(sent)} → ${answer.text}`).toBe(401);
            expect(Object.keys(JSON.parse(answer.text) as object)).toEqual(["error"]);
          }
        }),
        { seed: 20250515, numRuns: 300 },
      );
      expectNoSecret(logLines.join("\n"), "the log");
    } finally {
      agent.destroy();
      await mock.stop();
    }
  });
});
