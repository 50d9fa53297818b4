import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createNonce } from "../client/create-nonce.js";
import { createPandaponHeaders } from "../client/create-pandapon-headers.js";
import { createTopParams } from "../client/create-top-params.js";
import { startServer } from "../mock/start-server.js";
import { isTopGatewayPath } from "../mock/top/is-top-gateway-path.js";
import { getCatalog } from "../schemas/catalog.js";
import { DEFAULT_SCHEME } from "../signing/pandapon-scheme.js";
import { checkRecordings } from "../proxy/check-recordings.js";
import type { ProxyOptions } from "../proxy/create-proxy.js";
import { createProxy } from "../proxy/create-proxy.js";
import { toProxyRun, toProxySummary } from "../proxy/to-proxy-run.js";
import { toConsoleDetails, toConsoleLine } from "../verify/report-console.js";
import { reportJson } from "../verify/report-json.js";
import { reportJunit } from "../verify/report-junit.js";
import { jsonText, numberText } from "./helpers/json-text.js";
import type { RawAnswer, RawConnection } from "./helpers/raw-http.js";
import { headerOf, openRawConnection, toChunked, toRawRequest } from "./helpers/raw-http.js";
import type { SeenRequest, UpstreamAnswer, UpstreamScript } from "./helpers/scripted-upstream.js";
import { CASE_HEADER, startScriptedUpstream, toRawAnswer } from "./helpers/scripted-upstream.js";
import { watchProcessFaults } from "./helpers/watch-process-faults.js";

/**
 * `pandapon-mock proxy` (createProxy behind startServer, as the CLI runs it; recording into a
 * temporary folder) under hostile clients and hostile upstreams, over real HTTP on 127.0.0.1,
 * fast-check seeded, 300 cases each. Requests go out as raw bytes (what no HTTP client library would
 * send); the upstream (test/helpers/scripted-upstream.ts) records what reached it and answers as each
 * case's script says: the mock's answer, or raw bytes built on it. After each case: no exception or
 * rejection reached the process; an answer of the proxy's own is only its 502/503/504, in the
 * protocol's shape; what the upstream answered reached the client as it was sent (status, headers
 * but those of one connection, body byte for byte), and what the client sent reached the upstream so;
 * the counts (checked + not in the catalog + unchecked) add up to the requests the proxy was handed,
 * and the case's exchange is journaled; an answer that breaks its contract is never reported passed,
 * a good one is; the next request on the connection is served. After the run: no credential of the
 * test nor signature of its requests in the journal, results, log, summary, reports or recordings,
 * and every recording readable.
 */

/** Credentials of the test: the mock upstream knows them, the clients sign with them; none may show in anything the proxy writes. */
const KEY = { accessKey: "ak-fuzz-3c9e51d07b2a4f68", secret: "sk-fuzz-8d2f40c6e19b7a35", userId: "2207731594026", developId: "1014533973088404335" };
const APP = { appKey: "31415926", secret: "top-fuzz-secret-5b7e2d9c" };
const SESSION = "sess-fuzz-6f1a8c3e90d24b7c";
const REFUND = { refund_detail_order_req: { dispute_id: "10000001", buyer_id: 10000001 } };
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
/** Headers of one connection (RFC 9110 §7.6.1): the proxy forwards none of them. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);
/** The statuses the proxy may answer of its own (with its header): upstream unreachable, busy (--check-all), upstream timeout. */
const PROXY_STATUSES: Record<string, number> = { "upstream-unreachable": 502, busy: 503, "upstream-timeout": 504 };
/** Another seed, or more runs, to look further than the fixed run does (PROXY_FUZZ_SEED, PROXY_FUZZ_RUNS): the fixed run is what CI repeats. */
const SEED = process.env.PROXY_FUZZ_SEED === undefined ? undefined : Number(process.env.PROXY_FUZZ_SEED);
const RUNS = Number(process.env.PROXY_FUZZ_RUNS ?? 300);
const OUTCOMES = ["passed", "failed", "assumed", "error", "unknown", "unchecked"];

const catalog = getCatalog();
const PANDAPON_OPS = catalog.operations.filter((o) => o.meta.api === "pandapon" && o.meta.path).map((o) => ({ method: o.meta.method ?? "POST", path: o.meta.path!, requestIn: o.meta.requestIn ?? "body" }));
const TOP_METHODS = catalog.operations.filter((o) => o.meta.api === "top").map((o) => o.meta.topMethod ?? o.meta.name);

function weighted<T>(...choices: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

/** Headers as a list, without those of one connection and those its Connection header names. */
function endToEnd(headers: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  const named = new Set(headers.filter(([n]) => n.toLowerCase() === "connection").flatMap(([, v]) => v.split(",").map((t) => t.trim().toLowerCase())));
  return headers.filter(([n]) => !HOP_BY_HOP.has(n.toLowerCase()) && !named.has(n.toLowerCase())).map(([n, v]) => [n, v]);
}

function pairs(raw: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** Every form a credential may take where it is shown again: as sent, in other letter case, URL-encoded; digits alone only as a whole number. */
function findSecret(text: string, secrets: Iterable<string>): string | undefined {
  const lower = text.toLowerCase();
  for (const secret of secrets) {
    if (/^\d+$/.test(secret)) {
      if (new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(text)) return secret;
      continue;
    }
    for (const form of [secret, encodeURIComponent(secret)]) if (lower.includes(form.toLowerCase())) return secret;
  }
  return undefined;
}

/** None of the test's credentials, nor a signature its requests carried, in anything the proxy wrote. */
async function expectNoSecretWritten(t: ProxyUnderTest, signatures: Iterable<string>): Promise<void> {
  for (const [where, text] of await t.everythingWritten()) {
    const secret = findSecret(text, [KEY.accessKey, KEY.secret, KEY.userId, APP.appKey, APP.secret, SESSION, ...signatures]);
    if (secret === undefined) continue;
    const at = text.toLowerCase().indexOf(secret.toLowerCase());
    expect.fail(`${where} holds the credential ${secret}: …${text.slice(Math.max(0, at - 300), at + 200)}…`);
  }
}

function expectPrototypeIntact(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
}

/** A multipart/form-data body of text fields. */
function toMultipart(fields: ReadonlyArray<readonly [string, string]>, boundary: string): Buffer {
  return Buffer.from(fields.map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`);
}

/**
 * The proxy under test, as the CLI starts it, in front of a scripted upstream: its log, warnings and
 * console lines kept, recording into a temporary folder; each request it is handed counted, and its
 * sequence noted by case. Process-level faults (an exception or rejection nobody caught) are collected.
 */
async function startProxyUnderTest(options: Partial<ProxyOptions>) {
  const upstream = await startScriptedUpstream({ pandapon: { keys: [KEY] }, top: { apps: [APP] } });
  const dir = mkdtempSync(join(tmpdir(), "pandapon-proxy-hostile-"));
  const lines: string[] = [];
  const { faults, stop: stopWatching } = watchProcessFaults();
  const app = createProxy({
    target: upstream.url,
    recordDir: dir,
    log: (line) => lines.push(line),
    warn: (line) => lines.push(line),
    onResult: (result) => lines.push([`#${result.sequence} ${toConsoleLine(result)}`, ...toConsoleDetails(result)].join("\n")),
    ...options,
  });
  let handed = 0;
  const sequenceOf = new Map<string, number>();
  const counted = (req: IncomingMessage, res: ServerResponse) => {
    if (!(req.url === "/__mock/journal" && req.method === "GET")) {
      handed += 1;
      const id = req.headers[CASE_HEADER];
      if (typeof id === "string") sequenceOf.set(id, handed);
    }
    app(req, res);
  };
  const running = await startServer(counted, 0, "127.0.0.1", { drainMs: 1_000 });
  const startedAt = new Date().toISOString();
  return {
    app,
    upstream,
    url: running.url,
    dir,
    lines,
    faults,
    sequenceOf,
    handed: () => handed,
    /** Every text the proxy wrote: its journal (over HTTP), results, log, the reports, the recordings. */
    async everythingWritten(): Promise<Array<[string, string]>> {
      const journal = await fetch(`${running.url}/__mock/journal`).then((r) => r.text());
      const run = toProxyRun(app.readResults(), startedAt, 1, app.readSummary());
      const texts: Array<[string, string]> = [
        ["the journal", journal],
        ["the results", JSON.stringify(app.readResults())],
        ["the log", lines.join("\n")],
        ["the summary", toProxySummary(run, app.readUnknownCount(), app.readUncheckedCount(), app.readBackpressure())],
        ["the JSON report", reportJson(run, { baseUrl: upstream.url, tool: "pandapon-mock proxy" })],
        ["the JUnit report", reportJunit(run, "pandapon-mock proxy")],
      ];
      for (const file of readdirSync(dir)) texts.push([`the recording ${file}`, readFileSync(join(dir, file), "utf8")]);
      return texts;
    },
    stop: async () => {
      stopWatching();
      await Promise.race([app.settle(), new Promise((done) => setTimeout(done, 5_000))]);
      await app.close();
      await running.close();
      await upstream.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
type ProxyUnderTest = Awaited<ReturnType<typeof startProxyUnderTest>>;

/**
 * After each case: no process-level fault; the proxy's counts add up to the requests it was handed
 * (checked + not in the catalog + unchecked), and the case's exchange is journaled with an outcome.
 */
async function expectAccounted(t: ProxyUnderTest, id: string, context: string): Promise<string | undefined> {
  expect(t.faults, context).toEqual([]);
  await t.app.settle();
  const counts = t.app.readCounts();
  expect(counts.checked + counts.notInCatalog + counts.unchecked, `${context}\ncounts ${JSON.stringify(counts)}, handed ${t.handed()}`).toBe(t.handed());
  expect(counts.waiting, context).toBe(0);
  expectPrototypeIntact();
  const sequence = t.sequenceOf.get(id);
  if (sequence === undefined) return undefined;
  const entry = t.app.readJournal().find((e) => e.sequence === sequence);
  expect(entry, `${context}\nno journal entry for exchange #${sequence}`).toBeDefined();
  expect(OUTCOMES, context).toContain(entry!.outcome);
  return entry!.outcome;
}

/** The answer Node's HTTP server gives a request it cannot parse (a 400 or 431 with `Connection: close` alone): the proxy's server refused it, nothing was forwarded. */
function isNodeRefusal(answer: RawAnswer): boolean {
  return answer.status >= 400 && answer.headers.length === 1 && headerOf(answer, "connection") === "close";
}

/** An answer of the proxy's own (its header): only its documented statuses, in the protocol's shape. */
function expectProxyAnswerShape(answer: RawAnswer, context: string): string | undefined {
  const own = headerOf(answer, "x-pandapon-mock-proxy");
  if (own === undefined) return undefined;
  expect(PROXY_STATUSES[own], `${context}\nthe proxy's own answer ${own}`).toBe(answer.status);
  expect(answer.complete, context).toBe(true);
  const text = answer.body.toString("utf8");
  if (/^application\/json/.test(headerOf(answer, "content-type") ?? "")) expect(() => JSON.parse(text), `${context}\n${text}`).not.toThrow();
  else expect(text, context).toMatch(/^<\?xml[\s\S]*<error_response>/);
  return own;
}

/** The answer the client got is the upstream's, as it sent it: status, headers (but those of one connection, and Date), body byte for byte. */
function expectForwardedAnswer(answer: RawAnswer, sent: UpstreamAnswer, context: string, method = "GET"): void {
  expect(headerOf(answer, "x-pandapon-mock-proxy"), context).toBeUndefined();
  expect(answer.status, context).toBe(sent.status);
  expect(answer.complete, context).toBe(true);
  const withoutDate = (list: ReadonlyArray<readonly [string, string]>) => endToEnd(list).filter(([n]) => n.toLowerCase() !== "date");
  expect(withoutDate(answer.headers), context).toEqual(withoutDate(sent.headers));
  const body = method === "HEAD" || sent.status === 204 || sent.status === 304 ? Buffer.alloc(0) : sent.body;
  expect(answer.body.equals(body), `${context}\nbody ${JSON.stringify(answer.body.toString("latin1").slice(0, 300))}\nsent ${JSON.stringify(body.toString("latin1").slice(0, 300))}`).toBe(true);
}

/** A plain request on a connection after the case's: what the upstream answers it (the mock: a 404) must come back as it was sent. */
function toFollowUp(id: string): Buffer {
  return toRawRequest("GET", "/fuzz/follow-up", [["Host", "x"], [CASE_HEADER, id]]);
}

/** The next request on the same connection (sent now, or already sent right behind the last one: `pipelined`) reached the upstream, its answer came back as sent, and it is accounted for. */
async function expectNextServed(t: ProxyUnderTest, connection: RawConnection, id: string, context: string, pipelined = false): Promise<void> {
  const next = await connection.exchange(pipelined ? Buffer.alloc(0) : toFollowUp(id), "GET");
  const followed = t.upstream.seen.get(id);
  expect(followed, `${context} on the same connection → ${next.status}`).toBeDefined();
  expectForwardedAnswer(next, followed!.answer!, context);
  await expectAccounted(t, id, context);
}

/** How often each kind of case came up: a run that stopped meeting one would test less than it says. */
function createTally() {
  const tally: Record<string, number> = {};
  return {
    count: (key: string) => void (tally[key] = (tally[key] ?? 0) + 1),
    /** The share of the runs whose keys start with `prefix`. */
    share: (prefix: string) => Object.entries(tally).reduce((n, [key, value]) => n + (key.startsWith(prefix) ? value : 0), 0) / RUNS,
    toString: () => JSON.stringify(tally),
  };
}

/**
 * Checks each value of `arbitrary` (seeded, RUNS of them) as a case of its own — its id `<prefix><n>`,
 * a fresh client connection, closed after — then all the proxy wrote: no credential of the test nor
 * signature its requests carried, every recording readable. On a failure, the proxy's last lines.
 */
async function assertOnProxy<T>(t: ProxyUnderTest, arbitrary: fc.Arbitrary<T>, seed: number, prefix: string, signatures: Set<string>, check: (value: T, id: string, connection: RawConnection) => Promise<void>): Promise<void> {
  let cases = 0;
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        const connection = await openRawConnection(t.url);
        try {
          await check(value, `${prefix}${++cases}`, connection);
        } finally {
          connection.close();
        }
      }),
      { seed: SEED ?? seed, numRuns: RUNS, endOnFailure: true },
    );
    await expectNoSecretWritten(t, signatures);
    expect(checkRecordings(t.dir).unreadable).toEqual([]);
  } catch (error) {
    console.error(`the proxy's last lines:\n${t.lines.slice(-8).join("\n").slice(0, 8_000)}`);
    throw error;
  }
}

// ── Hostile clients ──────────────────────────────────────────────────────────────────────────

/** Percent-escapes: valid and malformed (cut short, not hex, overlong, a lone surrogate). */
const escapes = fc.constantFrom("%", "%Z", "%ZZ", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "%FF", "%00", "%2F", "%2e%2e", "%5F%5Fproto%5F%5F", "%20", "%E4%B8%AD", "%%", "%2", "%u0041");
const hostileText = weighted(
  [4, fc.constantFrom("", " ", ".", "..", "__proto__", "constructor", "prototype", "toString", "null", "NaN", "1e400", "-1", "9".repeat(25), "中文", "😀", "\u0000", "a\nb", "%", "a/b", "a?b", "a#b")],
  [3, fc.string({ maxLength: 12 })],
  [1, fc.integer({ min: 200, max: 3_000 }).map((n) => "x".repeat(n))],
);
const segment = weighted([4, fc.constantFrom("TQ77", "1000000000", "8651493722961198123", "1")], [3, hostileText.map(encodeURIComponent)], [2, escapes]);
const query = weighted(
  [4, fc.constant("")],
  [3, fc.array(fc.tuple(fc.constantFrom("refundId", "orderId", "page", "__proto__", "constructor", "method", "format", "sign", "app_key", "", "%ZZ", "a[b]"), weighted([3, hostileText.map(encodeURIComponent)], [1, escapes], [1, numberText])), { minLength: 1, maxLength: 5 }).map((ps) => `?${ps.map(([k, v]) => `${k}=${v}`).join("&")}`)],
  [1, escapes.map((e) => `?${e}`)],
);
/** TOP queries: methods real and not, formats twice, malformed escapes, signatures repeated. */
const topQuery = fc
  .array(fc.tuple(fc.constantFrom("method", "format", "sign", "app_key", "session", "v", "sign_method", "timestamp", "__proto__", "refund_detail_order_req"), weighted([2, fc.constantFrom(...TOP_METHODS, "json", "xml", "JSON", "__proto__", "constructor", "toString", "taobao.pc.refund.detail ").map(encodeURIComponent)], [2, hostileText.map(encodeURIComponent)], [1, escapes], [1, jsonText.map(encodeURIComponent)])), { maxLength: 6 })
  .map((ps) => (ps.length === 0 ? "" : `?${ps.map(([k, v]) => `${k}=${v}`).join("&")}`));
const hostileTarget = weighted(
  [5, fc.tuple(fc.constantFrom(...PANDAPON_OPS), segment, query).map(([op, seg, q]) => op.path.replace(/\{\w+\}/g, seg) + q)],
  [3, topQuery.map((q) => `/router/rest${q}`)],
  [3, fc.tuple(fc.constantFrom("/", "/__proto__", "/constructor/prototype", "/%ZZ", "/%", "/%E0%A4%A", "/%C0%AF", "/%ED%A0%80", "/alibaba/refund/info%00", "/alibaba/refund/info/", "/ALIBABA/refund/info", "//alibaba//refund/info", "/alibaba/./refund/../refund/info", "/router/rest/", "/ROUTER/REST", "/router/rest//", "/router/rest%2F", "/__mock/journal/", "/__mock/journal?x=1", "/__mock/rules", "//evil.example/x", "http://evil.example/alibaba/refund/info"), query).map(([p, q]) => p + q)],
  [1, fc.integer({ min: 1_000, max: 12_000 }).map((n) => `/alibaba/refund/info?refundId=${"9".repeat(n)}`)],
  [1, fc.string({ maxLength: 20 }).map((s) => `/${encodeURIComponent(s)}`)],
);

const deepText = fc.tuple(fc.integer({ min: 100, max: 30_000 }), fc.boolean()).map(([depth, arrays]) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));
const memberKey = weighted([4, fc.constantFrom("refundId", "orderId", "page", "pageSize", "offerId", "quantity", "address", "items")], [2, fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf")], [1, fc.string({ maxLength: 8 })]);
const valueText = weighted(
  [3, numberText],
  [2, fc.constantFrom("1e400", "-1e400", "1e-400", "-0", "9007199254740993", "8651493722961198123", "123456789012345678901234567890", "0.99999999999999999")],
  [3, fc.constantFrom("null", "true", "[]", "{}", '{"toString":1,"valueOf":1}', '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '"TQ77"', '"8651493722961198123"')],
  [3, hostileText.map((text) => JSON.stringify(text))],
  [2, jsonText],
);
const objectText = fc.array(fc.tuple(memberKey, valueText), { maxLength: 5 }).map((ps) => `{${ps.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);
const malformed = fc.constantFrom("{", "}", "[", '{"a":}', "nul", "[1,", "'x'", "\uFEFF{}", '{"a":1}x', '{"a":1,}', "\u0000", '{"__proto__":', "NaN", '{"refundId": NaN}', '{"a" 1}', '"unterminated');
/** Form bodies with hostile TOP parameters: methods real and not, formats and signatures repeated, malformed escapes. */
const formText = topQuery.map((q) => q.slice(1));
const multipartText = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom("method", "format", "sign", "app_key", "__proto__", "refund_detail_order_req", ""), hostileText), { maxLength: 4 }), fc.constantFrom("b", "zz", ""))
  .map(([fields, boundary]) => toMultipart(fields, boundary || "b").toString("utf8") + (boundary === "" ? "--b" : ""));
const bodyText = weighted(
  [5, objectText],
  [2, jsonText],
  [2, malformed],
  [1, deepText],
  [1, fc.constant("")],
  [2, formText],
  [1, multipartText],
  [1, fc.tuple(fc.integer({ min: 10_000, max: 300_000 }), fc.constantFrom("x", "中", "9")).map(([n, c]) => `{"refundId":"${c.repeat(n)}"}`)],
);
const contentType = fc.constantFrom("application/json", "application/json;charset=utf-8", "application/json; charset=utf-16", "text/plain", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded;charset=utf-8", "multipart/form-data; boundary=b", "multipart/form-data", 'multipart/form-data; boundary="zz"', "application/xml", "application/octet-stream", ";;;=", "");

/** Headers added to a request: harmless ones, ones of one connection, lies, repeats, pollution, huge values. */
const HARMLESS = ["X-Note", "x-note", "Accept", "User-Agent", "__proto__", "constructor", "X-Empty"];
const extraHeaders = fc.array(
  weighted<Array<[string, string]>>(
    [4, fc.tuple(fc.constantFrom(...HARMLESS), fc.constantFrom("a", "b", "", "application/json", "*/*", "x".repeat(100), "ÿ\u0080", "__proto__")).map(([n, v]) => [[n, v]])],
    [2, fc.constantFrom<Array<[string, string]>>([["Connection", "X-Fuzz-Drop"], ["X-Fuzz-Drop", "1"]], [["Connection", "close"]], [["Keep-Alive", "timeout=1"]], [["Proxy-Authorization", `Basic ${Buffer.from(`user:${KEY.secret}`).toString("base64")}`]], [["TE", "trailers"]], [["Proxy-Connection", "keep-alive"]], [["Trailer", "X-T"]])],
    [2, fc.constantFrom<Array<[string, string]>>([["Expect", "100-continue"]], [["Accept-Encoding", "gzip, br"]], [["Content-Type", "text/plain"]], [["Content-Type", "application/json"]], [["Upgrade", "websocket"], ["Connection", "Upgrade"]], [["Cookie", `session=${SESSION}`]], [["Authorization", `Bearer ${KEY.secret}`]], [["Via", "1.1 other"]], [["X-Forwarded-For", "10.0.0.1"]])],
    [1, fc.constantFrom<Array<[string, string]>>([["access-key", KEY.accessKey]], [["signature", "0".repeat(64)]], [["user-id", KEY.userId]], [["Host", "other.example"]], [["Content-Length", "0"]], [["Transfer-Encoding", "gzip"]])],
    [1, fc.integer({ min: 1_000, max: 17_000 }).map((n): Array<[string, string]> => [["X-Big", "a".repeat(n)]])],
  ),
  { maxLength: 4 },
);

type Carrier = "form" | "query" | "multipart";
type Base =
  | { kind: "pandapon-good" }
  | { kind: "top-good"; carrier: Carrier; format: "json" | "xml" }
  | { kind: "pandapon-signed"; op: (typeof PANDAPON_OPS)[number]; segment: string; query: string; body: string }
  | { kind: "top-signed"; method: string; carrier: Carrier; format: string | undefined; extra: Array<[string, string]> }
  | { kind: "hostile"; method: string; target: string; body: string; contentType: string | undefined; credentials: boolean };

interface ClientRecipe {
  base: Base;
  extras: Array<[string, string]>;
  encoding: "none" | "gzip" | "br" | "gzip-lie" | "deflate-lie" | "br-lie" | "gzip, gzip" | "x-unknown" | "identity";
  framing: "length" | "chunked" | "length-long" | "length-short";
  version: "1.1" | "1.0";
  host: "normal" | "missing" | "twice";
  /** What the client does besides: waits for its answer, sends the next request right behind it (pipelining), or leaves as soon as it has sent. */
  client: "waits" | "pipelines" | "leaves";
  /** A body over the 8 MiB the proxy copies for the checks (forwarded whole, left unchecked). */
  big: boolean;
}

const carrier = fc.constantFrom<Carrier>("form", "query", "multipart");
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "SEARCH", "PURGE"];
const base = weighted<Base>(
  [2, fc.constant({ kind: "pandapon-good" })],
  [2, fc.record({ kind: fc.constant("top-good" as const), carrier, format: fc.constantFrom<"json" | "xml">("json", "xml") })],
  [3, fc.record({ kind: fc.constant("pandapon-signed" as const), op: fc.constantFrom(...PANDAPON_OPS), segment, query, body: bodyText })],
  [2, fc.record({ kind: fc.constant("top-signed" as const), method: weighted([3, fc.constantFrom(...TOP_METHODS)], [1, fc.constantFrom("__proto__", "constructor", "toString", "", "taobao.pc.refund.detail ", "TAOBAO.PC.REFUND.DETAIL")]), carrier, format: fc.constantFrom(undefined, "json", "xml", "JSON", "yaml", ""), extra: fc.array(fc.tuple(fc.constantFrom("sign", "format", "method", "app_key", "refund_detail_order_req", "__proto__", "v"), weighted([2, hostileText], [1, jsonText])), { maxLength: 3 }) })],
  [4, fc.record({ kind: fc.constant("hostile" as const), method: fc.constantFrom(...METHODS), target: hostileTarget, body: bodyText, contentType: fc.option(contentType, { nil: undefined }), credentials: fc.boolean() })],
);
const clientRecipe: fc.Arbitrary<ClientRecipe> = fc.record({
  base,
  extras: weighted([3, fc.constant([])], [2, extraHeaders.map((lists) => lists.flat())]),
  encoding: weighted([8, fc.constant("none" as const)], [1, fc.constantFrom("gzip", "br", "gzip-lie", "deflate-lie", "br-lie", "gzip, gzip", "x-unknown", "identity")]),
  framing: weighted([8, fc.constant("length" as const)], [3, fc.constant("chunked" as const)], [1, fc.constantFrom("length-long", "length-short")]),
  version: weighted([12, fc.constant("1.1" as const)], [1, fc.constant("1.0" as const)]),
  host: weighted([12, fc.constant("normal" as const)], [1, fc.constantFrom("missing", "twice")]),
  client: weighted([10, fc.constant("waits" as const)], [1, fc.constantFrom("pipelines", "leaves")]),
  big: weighted([80, fc.constant(false)], [1, fc.constant(true)]),
});

/** 9 MiB of JSON: more than the proxy keeps a copy of. */
const BIG_BODY = `{"refundId":"${"9".repeat(9 * 2 ** 20)}"}`;

/** A request built from a recipe: signed now (the signatures noted as secrets), as bytes to send. */
interface BuiltRequest {
  method: string;
  target: string;
  /** The headers as sent (Host, the case header and the framing included). */
  headers: Array<[string, string]>;
  /** The body as the upstream should receive it (encoded, as sent; without its framing); undefined when it never ends (a Content-Length longer than the body). */
  body: Buffer | undefined;
  /** Framed as it says (no Content-Length shorter or longer than the body): the connection may carry the next request. */
  honest: boolean;
  bytes: Buffer;
  /** A valid signed request of a known operation, nothing hostile about it: its exchange must pass. */
  pristine: boolean;
  /** Half-closes after sending (a Content-Length longer than the body: the rest never comes). */
  end: boolean;
}

function buildTop(method: string, carrierKind: Carrier, format: string | undefined, extra: ReadonlyArray<readonly [string, string]>, signatures: Set<string>, params: Record<string, unknown> = {}) {
  const signed = createTopParams({ method, appKey: APP.appKey, secret: APP.secret, signMethod: "md5", timestamp: Date.now(), session: SESSION, params: { ...params, ...(format === undefined ? {} : { format }) } });
  signatures.add(signed.sign!);
  const fields: Array<[string, string]> = [...Object.entries(signed), ...extra.map(([k, v]): [string, string] => [k, v])];
  const form = fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const sign = signed.sign!;
  if (carrierKind === "query") return { method: "GET", target: `/router/rest?${form}`, contentType: undefined, body: "", sign };
  if (carrierKind === "form") return { method: "POST", target: "/router/rest", contentType: "application/x-www-form-urlencoded;charset=utf-8", body: form, sign };
  return { method: "POST", target: "/router/rest", contentType: "multipart/form-data; boundary=fuzzboundary", body: toMultipart(fields, "fuzzboundary").toString("utf8"), sign };
}

function buildClientRequest(recipe: ClientRecipe, id: string, host: string, signatures: Set<string>): BuiltRequest {
  const b = recipe.base;
  let method: string;
  let target: string;
  let text: string;
  let headers: Array<[string, string]> = [];
  if (b.kind === "pandapon-good" || b.kind === "pandapon-signed") {
    const op = b.kind === "pandapon-good" ? { method: "POST", path: "/alibaba/refund/info", requestIn: "body" } : b.op;
    method = op.method;
    target = op.path.replace(/\{\w+\}/g, b.kind === "pandapon-signed" ? b.segment : "") + (b.kind === "pandapon-signed" && op.requestIn !== "body" ? b.query : "");
    text = b.kind === "pandapon-good" ? '{"refundId":"TQ77"}' : op.requestIn === "body" ? (recipe.big ? BIG_BODY : b.body) : "";
    const signed = createPandaponHeaders({ ...KEY, scheme: DEFAULT_SCHEME, timestamp: String(Date.now()), nonce: createNonce(), body: text || undefined }).headers;
    signatures.add(signed.signature!);
    headers = [...(text ? [["Content-Type", "application/json"] as [string, string]] : []), ...Object.entries(signed)];
  } else if (b.kind === "top-good" || b.kind === "top-signed") {
    const top = b.kind === "top-good" ? buildTop("taobao.pc.refund.detail", b.carrier, b.format, [], signatures, REFUND) : buildTop(b.method, b.carrier, b.format, b.extra, signatures);
    method = top.method;
    target = top.target;
    text = top.body;
    if (top.contentType) headers.push(["Content-Type", top.contentType]);
  } else {
    method = b.method;
    target = b.target;
    text = recipe.big ? BIG_BODY : b.body;
    if (b.contentType !== undefined) headers.push(["Content-Type", b.contentType]);
    if (b.credentials) {
      const signature = createNonce() + createNonce();
      signatures.add(signature);
      headers.push(["access-key", KEY.accessKey], ["signature", signature], ["user-id", KEY.userId], ["timestamp", String(Date.now())]);
    }
  }
  let body: Buffer = Buffer.from(text);
  if (recipe.encoding !== "none" && body.length > 0) {
    const encoded: Record<string, () => Buffer> = { gzip: () => gzipSync(body), br: () => brotliCompressSync(body) };
    body = encoded[recipe.encoding]?.() ?? body;
    const name = recipe.encoding.replace(/-lie$/, "");
    headers.push(["Content-Encoding", name]);
  }
  const hostHeaders: Array<[string, string]> = recipe.host === "missing" ? [] : recipe.host === "twice" ? [["Host", host], ["Host", "other.example"]] : [["Host", host]];
  headers = [...hostHeaders, ...headers, ...recipe.extras, [CASE_HEADER, id]];
  let framed: Buffer = body;
  let end = false;
  let upstreamBody: Buffer | undefined = body;
  let honest = true;
  if (body.length > 0 || method === "POST" || method === "PUT" || method === "PATCH") {
    if (recipe.framing === "chunked") {
      headers.push(["Transfer-Encoding", "chunked"]);
      framed = toChunked(body, 1 + (body.length % 7919));
    } else if (recipe.framing === "length-long") {
      headers.push(["Content-Length", String(body.length + 10)]);
      end = true;
      upstreamBody = undefined;
      honest = false;
    } else if (recipe.framing === "length-short" && body.length > 1) {
      headers.push(["Content-Length", String(body.length - 1)]);
      upstreamBody = body.subarray(0, body.length - 1);
      honest = false;
    } else headers.push(["Content-Length", String(body.length)]);
  }
  const pristine =
    (b.kind === "pandapon-good" || b.kind === "top-good") &&
    recipe.extras.every(([n]) => HARMLESS.includes(n)) &&
    recipe.encoding === "none" &&
    (recipe.framing === "length" || recipe.framing === "chunked") &&
    recipe.version === "1.1" &&
    recipe.host === "normal";
  return { method, target, headers, body: upstreamBody, honest, bytes: toRawRequest(method, target, headers, framed, recipe.version), pristine, end };
}

/** What the upstream should have received of a request the proxy forwarded: method, target, body as framed, headers but those of one connection (Host the upstream's). */
function expectForwardedRequest(seen: SeenRequest, sent: BuiltRequest, upstreamHost: string, context: string): void {
  expect(seen.method, context).toBe(sent.method);
  // A path the TOP pipeline takes (/router/rest, or it in another case or with trailing slashes) goes to the TOP gateway's URL, its query as sent.
  const mark = sent.target.indexOf("?");
  const path = mark < 0 ? sent.target : sent.target.slice(0, mark);
  expect(seen.url, context).toBe(isTopGatewayPath(path) ? `/router/rest${mark < 0 ? "" : sent.target.slice(mark)}` : sent.target);
  if (sent.body) {
    expect(seen.complete, context).toBe(true);
    expect(seen.body.equals(sent.body), `${context}\nthe upstream got ${seen.body.length} bytes: ${JSON.stringify(seen.body.toString("latin1").slice(0, 200))}`).toBe(true);
  }
  // Expect is met by the proxy's server (100 Continue), not forwarded.
  const notHost = (list: Array<[string, string]>) => list.filter(([n]) => !["host", "expect"].includes(n.toLowerCase()));
  expect(notHost(endToEnd(pairs(seen.rawHeaders))), context).toEqual(notHost(endToEnd(sent.headers)));
  // Each Host the client sent names the upstream (a request with two is the upstream's to refuse); one when it sent none.
  const hosts = Math.max(1, sent.headers.filter(([n]) => n.toLowerCase() === "host").length);
  expect(pairs(seen.rawHeaders).filter(([n]) => n.toLowerCase() === "host").map(([, v]) => v), context).toEqual(Array(hosts).fill(upstreamHost));
}

describe("the proxy under hostile clients", () => {
  it("forwards every random request it can parse as it came, answers the upstream's answer as it came, journals each exchange, and never crashes or leaks a credential", async () => {
    const t = await startProxyUnderTest({ checkWorkers: 1 });
    const signatures = new Set<string>();
    const { count, share, toString: tally } = createTally();
    try {
      await assertOnProxy(t, clientRecipe, 20251207, "c", signatures, async (recipe, id, connection) => {
        const sent = buildClientRequest(recipe, id, new URL(t.url).host, signatures);
        const context = `case ${id} (${recipe.client}${recipe.big ? ", 9 MiB" : ""}): ${sent.bytes.toString("latin1").slice(0, 600)}`;
        // Nothing more is read on a connection after a request that asked to close it, or for an upgrade (Node's server, which
        // has no upgrade to offer, answers it and reads no further).
        const closing = recipe.version === "1.0" || sent.headers.some(([n, v]) => (n.toLowerCase() === "connection" && /close|upgrade/i.test(v)) || n.toLowerCase() === "upgrade");
        if (recipe.client === "leaves") {
          // Gone before any answer: whatever reached the proxy is still forwarded or dropped, and accounted for.
          connection.send(sent.bytes);
          connection.close();
          await new Promise((done) => setTimeout(done, 30));
          await expectAccounted(t, id, context);
          count("left");
          return;
        }
        const pipelined = recipe.client === "pipelines" && sent.honest && !closing;
        const answer = await connection.exchange(pipelined ? Buffer.concat([sent.bytes, toFollowUp(`${id}p`)]) : sent.bytes, sent.method, { end: sent.end, timeoutMs: 10_000 });
        const own = expectProxyAnswerShape(answer, context);
        const seen = t.upstream.seen.get(id);
        count(seen ? "forwarded" : `not forwarded: ${answer.status}`);
        // A request the proxy took whole and framed honestly, it forwarded so that the upstream (Node's HTTP server, as the
        // proxy's own) took it too — unless the proxy's server refused it after all (Node's bare 400: its body's framing).
        if (t.sequenceOf.has(id) && sent.honest && !own && !isNodeRefusal(answer)) expect(seen, `${context}\n→ ${answer.status} ${answer.body.toString().slice(0, 200)}: the upstream refused what the proxy forwarded`).toBeDefined();
        if (seen) {
          expectForwardedRequest(seen, sent, t.upstream.host, context);
          // A request framed honestly that the upstream received whole was answered by it: that answer, as it came.
          // (After one whose Content-Length was short, the server may refuse the rest, taken for a next request, first: a 400 of Node's.)
          if (sent.honest) {
            expect(own, `${context}\n→ ${answer.status} ${answer.body.toString().slice(0, 300)}`).toBeUndefined();
            expectForwardedAnswer(answer, seen.answer!, context, sent.method);
          }
        }
        if (!seen || !sent.honest) {
          if (answer.status >= 500) expect(own ?? (seen?.answer?.status === answer.status ? "the upstream's" : undefined), `${context}\n→ a ${answer.status} neither the proxy's own nor the upstream's`).toBeDefined();
        }
        // The proxy's server keeps the connection unless its answer says it closes it (Node closes after an Upgrade request, an HTTP/1.0 one…).
        const kept = headerOf(answer, "connection")?.toLowerCase() !== "close";
        if (pipelined && seen && answer.complete && !own && kept) {
          // The request sent right behind it is answered next, on the same connection, in order.
          await expectNextServed(t, connection, `${id}p`, `${context}\nthe pipelined request`, true);
          count("pipelined");
        }
        const outcome = await expectAccounted(t, id, context);
        if (sent.pristine) expect(outcome, `${context}\n${JSON.stringify(t.app.readJournal().at(-1))}`).toBe("passed");
        if (outcome) count(`outcome ${outcome}`);
        // The connection stays usable after a request it framed honestly, answered whole.
        if (seen && sent.honest && !closing && kept && answer.complete && !connection.closed && !own) {
          await expectNextServed(t, connection, `${id}f`, `${context}\nthe follow-up`);
          count("followed up");
        }
      });
      expect([share("forwarded") > 0.6, share("outcome passed") > 0.2, share("outcome failed") > 0.05, share("followed up") > 0.5, share("pipelined") > 0, share("left") > 0], tally()).toEqual(Array(6).fill(true));
    } finally {
      await t.stop();
    }
  }, 120_000);
});

// ── Hostile upstreams ────────────────────────────────────────────────────────────────────────

type GoodCall = "pandapon" | "top-json-form" | "top-xml-form" | "top-json-query" | "top-xml-multipart";
/** What the upstream does to the body of its answer: nothing, what breaks the contract (BREAKING_BODIES), or numbers beyond doubles put in (huge-number: the contract may allow them). */
type BodyChange = "as-is" | "truncated" | "junk" | "wrong-shape" | "wrong-type" | "other-format" | "huge-number";
/** How the upstream's answer fails to be an HTTP answer, if it does. */
type Damage = "none" | "junk-after" | "control-reason" | "informational-first" | "cut-length" | "cut-chunked" | "destroy-before" | "garbage-head" | "bad-header-value" | "huge-header" | "switching-protocols" | "duplicate-length" | "silent";

interface UpstreamRecipe {
  call: GoodCall;
  body: BodyChange;
  status: number;
  contentType: "as-is" | "missing" | "text/html" | "application/xml" | "application/json" | "text/plain; charset=GBK";
  encoding: "none" | "gzip" | "br" | "gzip-lie" | "deflate-lie";
  framing: "length" | "chunked" | "close" | "drip";
  damage: Damage;
  echo: "none" | "exact" | "upper" | "lower" | "encoded";
  /** Extra headers: none, many (under Node's limit), or repeated ones. */
  headers: "plain" | "many" | "repeated";
  fraction: number;
  /** The client waits for its answer, or goes away a few milliseconds after sending (before or while the answer comes). */
  client: "waits" | "leaves";
}

const BREAKING_BODIES: BodyChange[] = ["truncated", "junk", "wrong-shape", "wrong-type", "other-format"];
/** No HTTP answer: the proxy answers 502 (or 504, silent) of its own. */
const GATEWAY_DAMAGE: Damage[] = ["destroy-before", "garbage-head", "bad-header-value", "huge-header", "switching-protocols", "duplicate-length"];
/** An answer cut off after its head: the client gets the head and a part of the body, then the connection ends. */
const CUT_DAMAGE: Damage[] = ["cut-length", "cut-chunked"];

const upstreamRecipe: fc.Arbitrary<UpstreamRecipe> = fc.record({
  call: fc.constantFrom<GoodCall>("pandapon", "top-json-form", "top-xml-form", "top-json-query", "top-xml-multipart"),
  body: weighted([6, fc.constant("as-is" as const)], [5, fc.constantFrom<BodyChange>(...BREAKING_BODIES, "huge-number")]),
  status: weighted([8, fc.constant(200)], [2, fc.constantFrom(201, 204, 301, 302, 304, 307, 400, 401, 404, 418, 429, 500, 502, 503, 504, 599, 600, 999)]),
  contentType: weighted([6, fc.constant("as-is" as const)], [1, fc.constantFrom("missing", "text/html", "application/xml", "application/json", "text/plain; charset=GBK")]),
  encoding: weighted([6, fc.constant("none" as const)], [2, fc.constantFrom("gzip", "br")], [1, fc.constantFrom("gzip-lie", "deflate-lie")]),
  framing: fc.constantFrom("length", "chunked", "close", "drip"),
  damage: weighted([10, fc.constant("none" as const)], [4, fc.constantFrom<Damage>("junk-after", "control-reason", "informational-first")], [3, fc.constantFrom<Damage>(...CUT_DAMAGE)], [3, fc.constantFrom<Damage>(...GATEWAY_DAMAGE)], [1, fc.constant("silent" as const)]),
  echo: weighted([4, fc.constant("none" as const)], [1, fc.constantFrom("exact", "upper", "lower", "encoded")]),
  headers: weighted([6, fc.constant("plain" as const)], [1, fc.constantFrom("many", "repeated")]),
  fraction: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  client: weighted([12, fc.constant("waits" as const)], [1, fc.constant("leaves" as const)]),
});

/** A good signed call of a known operation, as bytes; `credentials` what it carried (an upstream may echo them). */
function buildGoodCall(call: GoodCall, id: string, host: string, signatures: Set<string>): { method: string; bytes: Buffer; credentials: string[]; format: "json" | "xml" } {
  if (call === "pandapon") {
    const body = '{"refundId":"TQ77"}';
    const signed = createPandaponHeaders({ ...KEY, scheme: DEFAULT_SCHEME, timestamp: String(Date.now()), nonce: createNonce(), body }).headers;
    signatures.add(signed.signature!);
    const headers: Array<[string, string]> = [["Host", host], ["Content-Type", "application/json"], ...Object.entries(signed), [CASE_HEADER, id], ["Content-Length", String(Buffer.byteLength(body))]];
    return { method: "POST", bytes: toRawRequest("POST", "/alibaba/refund/info", headers, Buffer.from(body)), credentials: [KEY.accessKey, signed.signature!, KEY.userId], format: "json" };
  }
  const format = call.startsWith("top-json") ? "json" : "xml";
  const top = buildTop("taobao.pc.refund.detail", call.endsWith("query") ? "query" : call.endsWith("multipart") ? "multipart" : "form", format, [], signatures, REFUND);
  const body = Buffer.from(top.body);
  const headers: Array<[string, string]> = [["Host", host], ...(top.contentType ? [["Content-Type", top.contentType] as [string, string]] : []), [CASE_HEADER, id], ...(body.length > 0 ? [["Content-Length", String(body.length)] as [string, string]] : [])];
  return { method: top.method, bytes: toRawRequest(top.method, top.target, headers, body), credentials: [APP.appKey, top.sign, SESSION], format };
}

/** The credentials as an upstream may echo them: as sent, in other letter case, URL-encoded. */
function toEcho(credentials: string[], how: UpstreamRecipe["echo"]): string {
  const forms = credentials.map((c) => (how === "upper" ? c.toUpperCase() : how === "lower" ? c.toLowerCase() : how === "encoded" ? encodeURIComponent(`${c}/`) : c));
  return forms.join(" ");
}

/** The body the upstream sends for a recipe, built on the mock's answer (`other`: the same answer in the other TOP format, or PandaPon's as XML). */
function toHostileBody(recipe: UpstreamRecipe, good: Buffer, other: Buffer, echo: string): Buffer {
  const text = good.toString("utf8");
  const isXml = text.trimStart().startsWith("<");
  const withEcho = (t: string) => (echo === "" ? t : isXml ? t.replace(/(_response>)/, `$1<echo>${echo}</echo>`) : t.replace("{", `{"echo":${JSON.stringify(echo)},`));
  switch (recipe.body) {
    case "as-is":
      return Buffer.from(withEcho(text));
    case "truncated":
      return Buffer.from(withEcho(text)).subarray(0, Math.max(1, Math.floor(good.length * recipe.fraction)));
    case "junk":
      // Not `{}`: the PandaPon envelope requires no member (schemas/common/envelopes.json), so an empty object fits it.
      return Buffer.from([`not an answer: ${echo}`, `<html><body>${echo}</body></html>`, "", "null", "[]", `"${echo}"`, "\u0000\u0001\u00ff", "{]"][Math.floor(recipe.fraction * 8)]!);
    case "wrong-shape":
      return Buffer.from(isXml ? withEcho(text).replace(/(<\/?)pc_refund_detail_response>/g, "$1pc_refund_detail_answer>") : withEcho(text).replace(/"(data|result)":/, '"$1":[],"was":'));
    case "wrong-type":
      return Buffer.from(isXml ? withEcho(text).replace(/<dispute_status>\d+<\/dispute_status>/, "<dispute_status>ten</dispute_status>") : withEcho(text).replace(/"(refundId|dispute_id)":"[^"]*"/, '"$1":{"toString":1}'));
    case "other-format":
      return other;
    case "huge-number":
      return Buffer.from(withEcho(text).replace(/(["> ])(\d{3,})(?=[,}<])/, `$1${["1e400", "123456789012345678901234567890", "-0.999999e-420", "9007199254740993"][Math.floor(recipe.fraction * 4)]}`));
  }
}

/** What the client should see: the answer forwarded as written, the head and a part of it, or the proxy's own 502/504. */
type UpstreamExpectation = { kind: "forward"; answer: UpstreamAnswer; breaking: boolean; shouldPass: boolean } | { kind: "cut"; status: number } | { kind: "gateway"; status: 502 | 504 };

/** The upstream's script for a recipe, and what the client and the checks should make of it. */
function toHostileScript(recipe: UpstreamRecipe, credentials: string[], others: { json: Buffer; xml: Buffer }): { script: UpstreamScript; expectation: (mock: UpstreamAnswer) => UpstreamExpectation } {
  const echo = recipe.echo === "none" ? "" : toEcho(credentials, recipe.echo);
  const build = (mock: UpstreamAnswer) => {
    const isXml = mock.body.toString("utf8").trimStart().startsWith("<");
    let body = toHostileBody(recipe, mock.body, isXml ? others.json : others.xml, echo);
    const headers: Array<[string, string]> = [];
    const mockType = mock.headers.find(([n]) => n.toLowerCase() === "content-type")?.[1] ?? "application/json";
    if (recipe.contentType !== "missing") headers.push(["Content-Type", recipe.contentType === "as-is" ? mockType : recipe.contentType]);
    if (recipe.encoding === "gzip") body = gzipSync(body);
    if (recipe.encoding === "br") body = brotliCompressSync(body);
    if (recipe.encoding !== "none") headers.push(["Content-Encoding", recipe.encoding.replace(/-lie$/, "")]);
    if (recipe.headers === "many") for (let i = 0; i < 40; i++) headers.push([`X-Many-${i}`, "m".repeat(200)]);
    if (recipe.headers === "repeated") headers.push(["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"], ["X-Dup", "1"], ["x-dup", "2"], ["Cache-Control", "no-store"], ["Cache-Control", "private"]);
    const bodiless = recipe.status === 204 || recipe.status === 304;
    if (bodiless) body = Buffer.alloc(0);
    // A cut needs something to cut: an empty body cut short would be whole.
    else if (body.length === 0 && CUT_DAMAGE.includes(recipe.damage)) body = Buffer.from("{}");
    const damage = recipe.damage;
    // A cut needs a length to fall short of; junk after an answer needs an answer that ends on its own.
    const framing = damage === "cut-length" ? "length" : damage === "cut-chunked" ? "chunked" : damage === "junk-after" && (recipe.framing === "close" || recipe.framing === "drip") ? "length" : recipe.framing;
    // The upstream ends the connection after each answer, and says so (an upstream that closes a connection it left open
    // races the proxy's next request on it: a 502, as for any connection that fails before an answer).
    const framingHeaders: Array<[string, string]> = [...(bodiless ? [] : framing === "length" ? [["Content-Length", String(body.length)] as [string, string]] : framing === "close" ? [] : [["Transfer-Encoding", "chunked"] as [string, string]]), ["Connection", "close"]];
    const written: UpstreamAnswer = { status: recipe.status, headers: [...headers, ...framingHeaders], body };
    return { written, framing, bodiless };
  };
  const script: UpstreamScript =
    recipe.damage === "silent"
      ? { kind: "silent" }
      : {
          kind: "raw",
          then: CUT_DAMAGE.includes(recipe.damage) || recipe.damage === "destroy-before" ? "destroy" : "end",
          answer: (mock) => build(mock).written,
          pieces: (mock) => {
            const { written, framing, bodiless } = build(mock);
            const { status, headers, body } = written;
            const head = (extra: Array<[string, string]> = []) => toRawAnswer(status, recipe.damage === "control-reason" ? "O\u0001K\u007f" : "Whatever", [...headers, ...extra]);
            switch (recipe.damage) {
              case "destroy-before":
                return [];
              case "garbage-head":
                return [Buffer.from(["garbage\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n", "\r\n\r\n"][Math.floor(recipe.fraction * 4)]!)];
              case "bad-header-value":
                return [head([["X-Bad", "a\u0001b"]]), body];
              case "huge-header":
                return [head([["X-Huge", "h".repeat(20_000)]]), body];
              case "switching-protocols":
                return [toRawAnswer(101, "Switching Protocols", [["Upgrade", "websocket"], ["Connection", "Upgrade"]]), Buffer.from("hello")];
              case "duplicate-length":
                return [toRawAnswer(status, "OK", [...headers.filter(([n]) => n !== "Content-Length" && n !== "Transfer-Encoding" && n !== "Connection"), ["Content-Length", String(body.length)], ["Content-Length", String(body.length + 1)]]), body];
              case "informational-first":
                return [toRawAnswer(recipe.fraction < 0.5 ? 100 : 103, "Early", recipe.fraction < 0.5 ? [] : [["Link", "</x>; rel=preload"]]), 1, head(), ...(bodiless ? [] : framed(body, framing, recipe.fraction))];
              case "cut-length":
                return [head(), body.subarray(0, Math.floor(body.length * recipe.fraction)), 5];
              case "cut-chunked":
                return [head(), framed(body, "chunked", recipe.fraction)[0]!, 5];
              case "junk-after":
                return [head(), ...framed(body, framing, recipe.fraction), Buffer.from(["}}}junk", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra", "\r\n\r\n\r\n"][Math.floor(recipe.fraction * 3)]!)];
              default:
                return [head(), ...(bodiless ? [] : framed(body, framing, recipe.fraction))];
            }
          },
        };
  const expectation = (mock: UpstreamAnswer): UpstreamExpectation => {
    if (recipe.damage === "silent") return { kind: "gateway", status: 504 };
    if (GATEWAY_DAMAGE.includes(recipe.damage)) return { kind: "gateway", status: 502 };
    const { written, bodiless } = build(mock);
    if (CUT_DAMAGE.includes(recipe.damage) && !bodiless) return { kind: "cut", status: recipe.status };
    const breaking = BREAKING_BODIES.includes(recipe.body) || recipe.encoding === "gzip-lie" || recipe.encoding === "deflate-lie" || bodiless || recipe.status >= 400 || (recipe.status >= 300 && recipe.status < 400);
    const shouldPass = !breaking && recipe.body === "as-is" && recipe.status === 200 && recipe.contentType === "as-is" && recipe.echo === "none";
    return { kind: "forward", answer: written, breaking, shouldPass };
  };
  return { script, expectation };
}

/** A body as the framing sends it: whole (length, close), in chunks, or in chunks with pauses between them (drip). */
function framed(body: Buffer, framing: string, fraction: number): Array<Buffer | number> {
  if (framing === "length" || framing === "close") return [body];
  const size = Math.max(1, Math.floor(body.length * fraction * 0.5));
  const out: Array<Buffer | number> = [];
  for (let at = 0; at < body.length; at += size) {
    out.push(toChunked(body.subarray(at, at + size)).subarray(0, -5));
    if (framing === "drip") out.push(1);
  }
  out.push(Buffer.from("0\r\n\r\n"));
  return out;
}

describe("the proxy in front of hostile upstreams", () => {
  it("passes every answer through as it came (or cuts the client off where the answer was cut off), answers 502/504 where none came, never passes an answer that breaks its contract, never crashes or leaks a credential", async () => {
    const t = await startProxyUnderTest({ checkWorkers: 0, checkAll: true, timeoutMs: 300 });
    const signatures = new Set<string>();
    const { count, share, toString: tally } = createTally();
    const host = new URL(t.url).host;
    try {
      // The mock's answers in each TOP format, for an upstream that answers the other one.
      const others: { json: Buffer; xml: Buffer } = { json: Buffer.alloc(0), xml: Buffer.alloc(0) };
      for (const call of ["top-json-form", "top-xml-form"] as const) {
        const connection = await openRawConnection(t.url);
        const good = buildGoodCall(call, `warm-${call}`, host, signatures);
        const answer = await connection.exchange(good.bytes, good.method);
        connection.close();
        expect(answer.status).toBe(200);
        others[good.format] = answer.body;
      }
      await assertOnProxy(t, upstreamRecipe, 20251208, "u", signatures, async (recipe, id, connection) => {
        const call = buildGoodCall(recipe.call, id, host, signatures);
        const { script, expectation } = toHostileScript(recipe, call.credentials, others);
        t.upstream.script(id, script);
        const context = `case ${id}: ${JSON.stringify(recipe)}`;
        if (recipe.client === "leaves") {
          // Gone a few milliseconds after sending, before or while the answer comes: accounted for all the same.
          connection.send(call.bytes);
          await new Promise((done) => setTimeout(done, Math.floor(recipe.fraction * 6)));
          connection.close();
          await new Promise((done) => setTimeout(done, 20));
          const outcome = await expectAccounted(t, id, context);
          count(`left → ${outcome}`);
          return;
        }
        const answer = await connection.exchange(call.bytes, call.method, { timeoutMs: 10_000 });
        const own = expectProxyAnswerShape(answer, context);
        const seen = t.upstream.seen.get(id);
        expect(seen, context).toBeDefined();
        // The upstream saw the request (its mock answer is what the script built on): what should the client have got?
        const expected = expectation(seen!.mock ?? { status: 200, headers: [], body: Buffer.alloc(0) });
        const answerText = `${context}\n→ ${answer.status} ${JSON.stringify(answer.headers).slice(0, 300)} ${answer.body.toString("latin1").slice(0, 300)} complete ${answer.complete}`;
        if (expected.kind === "gateway") {
          expect(own, answerText).toBe(expected.status === 504 ? "upstream-timeout" : "upstream-unreachable");
        } else if (expected.kind === "cut") {
          expect(own, answerText).toBeUndefined();
          expect([answer.status, answer.complete], answerText).toEqual([expected.status, false]);
        } else {
          expectForwardedAnswer(answer, seen!.answer!, answerText, call.method);
        }
        const outcome = await expectAccounted(t, id, context);
        count(`${expected.kind} → ${outcome}`);
        expect(outcome, context).not.toBe("unknown");
        const entry = t.app.readJournal().find((e) => e.sequence === t.sequenceOf.get(id));
        const journalText = `${answerText}\njournal: ${JSON.stringify(entry).slice(0, 800)}`;
        // An answer that breaks its contract (or none at all) is never reported passed.
        if (expected.kind !== "forward" || expected.breaking) expect(["passed", "assumed"], journalText).not.toContain(outcome);
        if (expected.kind === "forward" && expected.shouldPass) expect(outcome, journalText).toBe("passed");
        // The connection stays usable after an answer that came whole.
        if (answer.complete && !connection.closed) {
          await expectNextServed(t, connection, `${id}f`, `${context}\nthe follow-up`);
          count("followed up");
        }
      });
      // --check-all: none left unchecked.
      expect(t.app.readUncheckedCount()).toBe(0);
      expect([share("forward → passed") > 0.15, share("forward → failed") > 0.15, share("gateway") > 0.08, share("cut") > 0.05, share("left") > 0, share("followed up") > 0.5], tally()).toEqual(Array(6).fill(true));
    } finally {
      await t.stop();
    }
  }, 120_000);
});
