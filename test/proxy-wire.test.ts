import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { createTopParams, toFormBody } from "../client/create-top-params.js";
import { startServer } from "../mock/start-server.js";
import type { ProxyOptions } from "../proxy/create-proxy.js";
import { createProxy } from "../proxy/create-proxy.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { headerOf, openRawConnection, toRawRequest } from "./helpers/raw-http.js";
import type { UpstreamScript } from "./helpers/scripted-upstream.js";
import { CASE_HEADER, startScriptedUpstream, toRawAnswer } from "./helpers/scripted-upstream.js";
import { watchProcessFaults } from "./helpers/watch-process-faults.js";

/**
 * The proxy on the wire: what upstreams and clients send that no HTTP library would, each a case
 * the property test (proxy-hostile.test.ts) found — over real HTTP on 127.0.0.1, the upstream the
 * mock behind a server that answers each case as scripted (raw bytes built on the mock's answer).
 */

const REFUND = { refund_detail_order_req: { dispute_id: "10000001", buyer_id: 10000001 } };
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The scripted upstream and the proxy in front of it (checks on the proxy's thread); what went wrong in the process (an exception nobody caught) is collected. */
async function setup(proxy: Partial<ProxyOptions> = {}) {
  const upstream = await startScriptedUpstream();
  const lines: string[] = [];
  const { faults, stop: stopWatching } = watchProcessFaults();
  const app = createProxy({ target: upstream.url, checkWorkers: 0, timeoutMs: 3_000, log: (line) => lines.push(line), warn: (line) => lines.push(line), ...proxy });
  const running = await startServer(app, 0, "127.0.0.1", { drainMs: 500 });
  stops.push(async () => {
    stopWatching();
    await Promise.race([app.settle(), new Promise((done) => setTimeout(done, 3_000))]);
    await app.close();
    await running.close();
    await upstream.stop();
  });
  // Each call names its case: the upstream answers it as scripted.
  let cases = 0;
  const nextCase = (script?: UpstreamScript) => {
    const id = `case-${++cases}`;
    if (script) upstream.script(id, script);
    return id;
  };
  // The clients' requests carry the case header besides what they sign.
  const withCase = (id: string): typeof fetch => (url, init) => fetch(url, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), [CASE_HEADER]: id } });
  const pandapon = (id: string) => createPandaponClient({ baseUrl: running.url, ...DEMO_PANDAPON, retries: 0, timeoutMs: 5_000, fetch: withCase(id) });
  const top = (id: string, format: "json" | "xml" = "json") => createTopClient({ gateway: `${running.url}/router/rest`, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, timeoutMs: 5_000, format, fetch: withCase(id) });
  const journal = async () => (await app.settle(), app.readJournal());
  return { app, upstream, url: running.url, lines, faults, nextCase, pandapon, top, journal };
}

/** A raw answer: the mock's own, rewritten by `change`, then the connection ended. */
function rawAnswer(change: (mock: { status: number; type: string; body: Buffer }) => Array<Buffer | number>, then: "end" | "destroy" = "end"): UpstreamScript {
  return { kind: "raw", then, pieces: (mock) => change({ status: mock.status, type: mock.headers.find(([n]) => n === "Content-Type")![1], body: mock.body }) };
}

describe("the proxy in front of an upstream that answers what Node cannot pass on", () => {
  it("answers 502 of its own to a status under 100 and to 101 Switching Protocols, passes a reason phrase with a control character on without it, and lives on", async () => {
    const t = await setup();
    const lowStatus = t.nextCase(rawAnswer(() => [toRawAnswer("099", "Odd", [["Content-Length", "0"], ["Connection", "close"]])]));
    const switching = t.nextCase(rawAnswer(() => [toRawAnswer(101, "Switching Protocols", [["Upgrade", "websocket"], ["Connection", "Upgrade"]]), Buffer.from("hello")]));
    const controlReason = t.nextCase(rawAnswer((mock) => [toRawAnswer(200, "O\u0001K\u007f", [["Content-Type", mock.type], ["Content-Length", String(mock.body.length)], ["Connection", "close"]]), mock.body]));
    const low = await t.pandapon(lowStatus).call("/alibaba/refund/info", { refundId: "TQ77" });
    expect([low.status, low.headers["x-pandapon-mock-proxy"]]).toEqual([502, "upstream-unreachable"]);
    expect(low.apiError?.msg).toContain("the upstream answered status 99, which is no HTTP status");
    const upgraded = await t.top(switching).call("taobao.pc.refund.detail", REFUND);
    expect([upgraded.status, upgraded.headers["x-pandapon-mock-proxy"]]).toEqual([502, "upstream-unreachable"]);
    expect(upgraded.rawBody).toContain("101 Switching Protocols");
    const reason = await t.pandapon(controlReason).call("/alibaba/refund/info", { refundId: "TQ77" });
    expect([reason.status, reason.headers["x-pandapon-mock-proxy"]]).toEqual([200, undefined]);
    expect(reason.rawBody).toBe(t.upstream.seen.get(controlReason)!.mock!.body.toString());
    expect((await t.journal()).map((e) => [e.operation, e.outcome])).toEqual([
      ["/alibaba/refund/info", "error"],
      ["taobao.pc.refund.detail", "error"],
      ["/alibaba/refund/info", "passed"],
    ]);
    expect(t.faults).toEqual([]);
  });
});

describe("the proxy in front of an upstream that answers whole, but not cleanly", () => {
  it("passes an answer on whole when bytes follow it on the connection (past its Content-Length, after its last chunk), and checks it", async () => {
    const t = await setup();
    const pastLength = t.nextCase(rawAnswer((mock) => [toRawAnswer(200, "OK", [["Content-Type", mock.type], ["Content-Length", String(mock.body.length)]]), Buffer.concat([mock.body, Buffer.from("}}junk")])]));
    const pastChunks = t.nextCase(rawAnswer((mock) => [toRawAnswer(200, "OK", [["Content-Type", mock.type], ["Transfer-Encoding", "chunked"]]), Buffer.from(`${mock.body.length.toString(16)}\r\n`), mock.body, Buffer.from("\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")]));
    for (const id of [pastLength, pastChunks]) {
      const call = await t.pandapon(id).call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(call.status).toBe(200);
      expect(call.rawBody).toBe(t.upstream.seen.get(id)!.mock!.body.toString());
    }
    expect((await t.journal()).map((e) => e.outcome)).toEqual(["passed", "passed"]);
    expect(t.faults).toEqual([]);
  });

  it("passes an answer cut off on as far as it came — its head, and the bytes of its body before the cut — then ends the client's connection", async () => {
    const t = await setup();
    const head = (mock: { type: string; body: Buffer }) => toRawAnswer(200, "OK", [["Content-Type", mock.type], ["Content-Length", String(mock.body.length)]]);
    const cases = [
      // Cut after a part of the body.
      { id: t.nextCase(rawAnswer((mock) => [head(mock), mock.body.subarray(0, 100), 20], "destroy")), bytes: 100 },
      // Cut right after the head: Node sends a head with the body's first bytes, so it was never sent.
      { id: t.nextCase(rawAnswer((mock) => [head(mock)], "destroy")), bytes: 0 },
      // A head, then a body that does not parse (a chunk size that is no number).
      { id: t.nextCase(rawAnswer((mock) => [toRawAnswer(200, "OK", [["Content-Type", mock.type], ["Transfer-Encoding", "chunked"]]), Buffer.from("zz\r\n{}\r\n")])), bytes: 0 },
    ];
    for (const { id, bytes } of cases) {
      const connection = await openRawConnection(t.url);
      const answer = await connection.exchange(toRawRequest("POST", "/alibaba/refund/info", [["Host", "x"], [CASE_HEADER, id], ["Content-Type", "application/json"], ["Content-Length", "2"]], Buffer.from("{}")), "POST");
      connection.close();
      const mock = t.upstream.seen.get(id)!.mock!;
      expect([answer.status, answer.complete, headerOf(answer, "content-type")], id).toEqual([200, false, mock.headers.find(([n]) => n === "Content-Type")![1]]);
      expect(answer.body.toString(), id).toBe(mock.body.subarray(0, bytes).toString());
    }
    expect((await t.journal()).map((e) => e.outcome)).toEqual(["error", "error", "error"]);
    expect(t.faults).toEqual([]);
  });
});

describe("the proxy forwarding what a client sent", () => {
  it("forwards a chunked body of a GET, DELETE or OPTIONS framed as it came (Node's client frames none it is not told of), and the next request on the connection after it", async () => {
    const t = await setup();
    for (const method of ["GET", "DELETE", "OPTIONS", "POST"]) {
      const id = t.nextCase();
      const connection = await openRawConnection(t.url);
      const answer = await connection.exchange(toRawRequest(method, "/not/an/operation", [["Host", "x"], [CASE_HEADER, id], ["Transfer-Encoding", "chunked"]], Buffer.from("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")), method);
      const next = t.nextCase();
      const after = await connection.exchange(toRawRequest("GET", "/not/an/operation/either", [["Host", "x"], [CASE_HEADER, next]]), "GET");
      connection.close();
      const seen = t.upstream.seen.get(id)!;
      expect([seen.method, seen.body.toString(), answer.status], method).toEqual([method, "hello world", seen.answer!.status]);
      expect(seen.rawHeaders.filter((_, i, all) => i % 2 === 0 && /^transfer-encoding$/i.test(all[i]!)).length, method).toBe(1);
      expect([t.upstream.seen.get(next)?.url, after.status], method).toEqual(["/not/an/operation/either", t.upstream.seen.get(next)?.answer?.status]);
    }
    expect(t.faults).toEqual([]);
  });

  it("gives an HTTP/1.0 request that names no Host the upstream's, as it does any Host: the upstream takes it", async () => {
    const t = await setup();
    const id = t.nextCase();
    const connection = await openRawConnection(t.url);
    const answer = await connection.exchange(toRawRequest("GET", "/not/an/operation", [[CASE_HEADER, id]], Buffer.alloc(0), "1.0"), "GET");
    connection.close();
    const seen = t.upstream.seen.get(id);
    expect(seen, `→ ${answer.status}`).toBeDefined();
    expect(seen!.rawHeaders.slice(0, 2)).toEqual(["Host", t.upstream.host]);
    expect(answer.status).toBe(seen!.answer!.status);
  });

  it("meets an Expect: 100-continue itself and forwards the rest of the request's headers byte for byte (a value with bytes ≥ 0x80 among them)", async () => {
    const t = await setup();
    const id = t.nextCase();
    const connection = await openRawConnection(t.url);
    const answer = await connection.exchange(toRawRequest("POST", "/not/an/operation", [["Host", "x"], [CASE_HEADER, id], ["X-Latin", "caf\u00e9 \u00ff"], ["Expect", "100-continue"], ["Content-Length", "2"]], Buffer.from("{}")), "POST");
    connection.close();
    const seen = t.upstream.seen.get(id)!;
    expect(answer.informational).toEqual([100]);
    expect(answer.status).toBe(seen.answer!.status);
    expect(seen.rawHeaders).toContain("caf\u00e9 \u00ff");
    expect(seen.rawHeaders.map((h) => h.toLowerCase())).not.toContain("expect");
    expect(seen.body.toString()).toBe("{}");
  });
});

describe("the proxy masking the credentials an upstream repeats", () => {
  const SESSION = "sess-wire-5d0e8b7a31c94f26";

  /** Everything the proxy wrote of its exchanges: journal, results, log lines, recordings. */
  function written(t: Awaited<ReturnType<typeof setup>>, dir?: string): string {
    const recordings = dir ? readdirSync(dir).map((file) => readFileSync(join(dir, file), "utf8")) : [];
    return [JSON.stringify(t.app.readJournal()), JSON.stringify(t.app.readResults()), ...t.lines, ...recordings].join("\n");
  }

  it("masks a TOP error's sub_code and sub_msg as its msg: a sub_msg repeating what was signed (app_key, session) leaves neither in the journal", async () => {
    const t = await setup();
    const error = (format: string) => ({ error_response: { code: 25, msg: `Invalid Signature for ${DEMO_TOP.appKey}`, sub_code: `isv.invalid-signature:${SESSION}`, sub_msg: `the server signed app_key${DEMO_TOP.appKey}format${format}session${SESSION}` } });
    const id = t.nextCase(rawAnswer(() => { const body = Buffer.from(JSON.stringify(error("json"))); return [toRawAnswer(200, "OK", [["Content-Type", "application/json"], ["Content-Length", String(body.length)]]), body]; }));
    const top = createTopClient({ gateway: `${t.url}/router/rest`, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, session: SESSION, retries: 0, format: "json", fetch: (url, init) => fetch(url, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), [CASE_HEADER]: id } }) });
    const call = await top.call("taobao.pc.refund.detail", REFUND);
    expect(call.apiError).toMatchObject({ code: "25", subMsg: expect.stringContaining(SESSION) });
    const [result] = (await t.app.settle(), t.app.readResults());
    expect(result).toMatchObject({ outcome: "passed", apiError: { subCode: "isv.invalid-signature:******", subMsg: "the server signed app_key******formatjsonsession******" } });
    const text = written(t);
    expect(text).not.toContain(SESSION);
    expect(text).not.toMatch(new RegExp(`(?<!\\d)${DEMO_TOP.appKey}(?!\\d)`));
  });

  it("masks the credentials of a TOP call sent as multipart, and every value of a credential sent twice (the gateway reads the first)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pandapon-proxy-wire-"));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const t = await setup({ recordDir: dir });
    // The upstream repeats the credentials it got, in an answer that is still the operation's (a drift member).
    const repeating: UpstreamScript = {
      kind: "raw",
      then: "end",
      pieces: (mock, seen) => {
        const text = seen.body.toString("latin1");
        const multipart = [...text.matchAll(/name="(?:sign|session|app_key)"\r\n\r\n([^\r]*)/g)].map((m) => m[1]!);
        const form = text.startsWith("--") ? [] : [...new URLSearchParams(text)].filter(([k]) => ["sign", "session", "app_key"].includes(k)).map(([, v]) => v);
        const values = [...multipart, ...form];
        const body = Buffer.from(mock.body.toString("utf8").replace("{", `{"repeated":${JSON.stringify(values.join(" "))},`));
        return [toRawAnswer(200, "OK", [["Content-Type", "application/json;charset=UTF-8"], ["Content-Length", String(body.length)]]), body];
      },
    };
    const params = createTopParams({ method: "taobao.pc.refund.detail", appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, signMethod: "md5", timestamp: Date.now(), format: "json", session: SESSION, params: REFUND });
    const boundary = "wireboundary";
    const multipart = Buffer.from(Object.entries(params).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`);
    const secondSign = "0123456789ABCDEF0123456789ABCDEF";
    const form = Buffer.from(`${toFormBody(params)}&sign=${secondSign}`);
    for (const [type, body] of [[`multipart/form-data; boundary=${boundary}`, multipart], ["application/x-www-form-urlencoded", form]] as const) {
      const id = t.nextCase(repeating);
      const connection = await openRawConnection(t.url);
      const answer = await connection.exchange(toRawRequest("POST", "/router/rest", [["Host", "x"], [CASE_HEADER, id], ["Content-Type", type], ["Content-Length", String(body.length)]], body), "POST");
      connection.close();
      expect(answer.body.toString()).toContain(SESSION);
    }
    expect((await t.journal()).map((e) => e.outcome)).toEqual(["passed", "passed"]);
    expect(readdirSync(dir)).toHaveLength(2);
    const text = written(t, dir);
    for (const secret of [SESSION, params.sign!, secondSign]) expect(text).not.toContain(secret);
  });

  it("masks a credential an upstream repeats in another letter case or URL-encoded, in the journal as in the recordings", async () => {
    const t = await setup();
    const repeating: UpstreamScript = {
      kind: "raw",
      then: "end",
      pieces: (_mock, seen) => {
        const header = (name: string) => seen.rawHeaders[seen.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name) + 1]!;
        const body = Buffer.from(`not JSON: ${header("signature").toLowerCase()} ${encodeURIComponent(`${header("access-key")}/`)} ${header("access-key").toUpperCase()}`);
        return [toRawAnswer(200, "OK", [["Content-Type", "application/json"], ["Content-Length", String(body.length)]]), body];
      },
    };
    const id = t.nextCase(repeating);
    const call = await t.pandapon(id).call("/alibaba/refund/info", { refundId: "TQ77" });
    const [entry] = await t.journal();
    expect(entry).toMatchObject({ outcome: "failed", reason: expect.stringContaining("the body starts with") });
    const text = written(t).toLowerCase();
    for (const secret of [call.request.headers.signature!, DEMO_PANDAPON.accessKey]) expect(text).not.toContain(secret.toLowerCase());
  });
});

describe("the proxy judging answers the contract has no place for", () => {
  it("fails a TOP answer in another format than the request asked for, though it fits the operation's schema in its own", async () => {
    const t = await setup();
    // The mock's answer in each format, then each answered in the other.
    const json = t.nextCase();
    const xml = t.nextCase();
    const jsonBody = (await t.top(json, "json").call("taobao.pc.refund.detail", REFUND)).rawBody;
    const xmlBody = (await t.top(xml, "xml").call("taobao.pc.refund.detail", REFUND)).rawBody;
    const answer = (body: string, type: string) => rawAnswer(() => [toRawAnswer(200, "OK", [["Content-Type", type], ["Content-Length", String(Buffer.byteLength(body))]]), Buffer.from(body)]);
    const jsonAskedXmlGot = t.nextCase(answer(xmlBody, "text/xml;charset=UTF-8"));
    const xmlAskedJsonGot = t.nextCase(answer(jsonBody, "application/json;charset=UTF-8"));
    expect((await t.top(jsonAskedXmlGot, "json").call("taobao.pc.refund.detail", REFUND)).rawBody).toBe(xmlBody);
    expect((await t.top(xmlAskedJsonGot, "xml").call("taobao.pc.refund.detail", REFUND)).rawBody).toBe(jsonBody);
    const results = (await t.app.settle(), t.app.readResults());
    expect(results.map((r) => r.outcome)).toEqual(["passed", "passed", "failed", "failed"]);
    expect(results[2]!.responseViolations).toEqual([{ path: "", rule: "format", severity: "error", message: "is XML, but the request asked for format=json" }]);
    expect(results[3]!.responseViolations).toEqual([{ path: "", rule: "format", severity: "error", message: "is JSON, but the request asked for XML (no format, or format=xml)" }]);
  });

  it("fails an answer with a status below 400 other than 200 (a redirect, a 201), whatever its body", async () => {
    const t = await setup();
    const statuses = [302, 307, 201, 203];
    for (const status of statuses) {
      const id = t.nextCase(rawAnswer((mock) => [toRawAnswer(status, "Whatever", [["Content-Type", mock.type], ["Content-Length", String(mock.body.length)], ["Location", "/elsewhere"]]), mock.body]));
      const call = await createPandaponClient({ baseUrl: t.url, ...DEMO_PANDAPON, retries: 0, fetch: (url, init) => fetch(url, { ...init, redirect: "manual", headers: { ...Object.fromEntries(new Headers(init?.headers)), [CASE_HEADER]: id } }) }).call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(call.status).toBe(status);
    }
    const results = (await t.app.settle(), t.app.readResults());
    // The answer's one failure is its status (its body is the mock's, a precision warning aside).
    expect(results.map((r) => [r.status, r.outcome, r.responseViolations.filter((v) => v.severity === "error").map((v) => v.rule)])).toEqual(statuses.map((status) => [status, "failed", ["http-status"]]));
    expect(results[0]!.responseViolations[0]!.message).toBe("HTTP 302: the API answers with 200 (an error of its own with 200 or 4xx/5xx and its envelope)");
  });
});
