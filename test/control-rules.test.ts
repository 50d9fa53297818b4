import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { RuleError } from "../mock/control/rule-format.js";
import type { StartedMock } from "../mock/start-mock.js";
import { startMock } from "../mock/start-mock.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { DEFAULT_SCHEME, signPandapon } from "../signing/pandapon-scheme.js";

// Rules through real HTTP: each effect as a real client (the project's clients, or fetch/undici) sees it.

const INFO = "/alibaba/refund/info";
const DETAIL = "taobao.pc.refund.detail";
const REFUND_REQ = { dispute_id: "2400000000000001", buyer_id: "2200000000001" };

/** The PandaPon system headers for a JSON body, signed with the demo key now (a fresh nonce each time). */
function signedHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = {
    "access-key": DEMO_PANDAPON.accessKey,
    "nonce-str": randomBytes(16).toString("hex"),
    timestamp: String(Date.now()),
    "user-id": DEMO_PANDAPON.userId,
  };
  headers.signature = signPandapon(DEFAULT_SCHEME, { headers }, DEMO_PANDAPON.secret).signature;
  return { ...headers, "content-type": "application/json", ...extra };
}

function askInfo(mock: StartedMock, refundId = "TQ1", init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  return fetch(`${mock.url}${INFO}`, { method: "POST", headers: signedHeaders(init.headers), body: JSON.stringify({ refundId }), signal: init.signal });
}

/** What fetch rejects with, as `name: message (cause code)`. */
async function failureOf(promise: Promise<unknown>): Promise<{ name: string; message: string; cause: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; name?: string; message?: string } };
    return { name: e.name, message: e.message, cause: `${e.cause?.code ?? e.cause?.name ?? ""} ${e.cause?.message ?? ""}` };
  }
  throw new Error("expected the request to fail");
}

describe("rules through real HTTP", () => {
  let mock: StartedMock;
  const log: string[] = [];
  const pandapon = () => createPandaponClient({ baseUrl: mock.url, ...DEMO_PANDAPON, retries: 0 });
  const top = (format: "json" | "xml" = "json") => createTopClient({ gateway: mock.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format } as Parameters<typeof createTopClient>[0]);
  beforeAll(async () => {
    mock = await startMock({ seed: 11, state: "memory", log: (line) => log.push(line) });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  it("answers a business error {code, msg} by count: the first call only, then the operation as usual", async () => {
    const [rule] = mock.rules.add({ name: "info-down-once", match: { operation: INFO, times: 1 }, answer: { error: { code: 50001, msg: "系统繁忙" } } });
    expect(rule).toMatchObject({ id: expect.stringMatching(/^r\d+$/), name: "info-down-once", matched: 0 });
    const first = await pandapon().call(INFO, { refundId: "TQ1" });
    expect(first.status).toBe(200);
    expect(first.envelope).toEqual({ requestId: null, code: 50001, developId: null, msg: "系统繁忙", data: null });
    const second = await pandapon().call(INFO, { refundId: "TQ1" });
    expect(second.apiError).toBeUndefined();
    expect((second.envelope as { code: number }).code).toBe(200);
    expect(mock.rules.list()[0]).toMatchObject({ name: "info-down-once", matched: 1 });
    const [newest, older] = mock.journal.list({ operation: INFO });
    expect(older).toMatchObject({ status: 200, code: 50001, rule: "info-down-once" });
    expect(newest).toMatchObject({ status: 200, code: 200 });
    expect(newest!.rule).toBeUndefined();
  });

  it("answers a named error of the PandaPon table, with its status and code", async () => {
    mock.rules.add({ match: { operation: INFO }, answer: { error: "SERVER_ERROR" } });
    const res = await askInfo(mock);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 50001, data: null });
  });

  it("answers TOP's rate limit, code 7 App Call Limited, with a documented sub code, in JSON and XML", async () => {
    mock.rules.add({ match: { operation: DETAIL }, answer: { top: "APP_CALL_LIMITED" } });
    const json = await top("json").call(DETAIL, { refund_detail_order_req: REFUND_REQ });
    expect(JSON.parse(json.rawBody).error_response).toMatchObject({ code: 7, msg: "App Call Limited", sub_code: "isv.access-limited-by-app-access-count" });
    const xml = await top("xml").call(DETAIL, { refund_detail_order_req: REFUND_REQ });
    expect(xml.rawBody).toContain("<code>7</code>");
    expect(xml.rawBody).toContain("<sub_code>isv.access-limited-by-app-access-count</sub_code>");
  });

  it("answers a TOP error_response of the rule's own code, msg, sub_code and sub_msg, only to TOP requests", async () => {
    mock.rules.add({ match: {}, answer: { top: { code: 7, msg: "App Call Limited", sub_code: "accesscontrol.limited-by-app-access-count", sub_msg: "This ban will last for 1 more seconds" } } });
    const answer = await top().call(DETAIL, { refund_detail_order_req: REFUND_REQ });
    expect(JSON.parse(answer.rawBody).error_response).toMatchObject({ code: 7, sub_code: "accesscontrol.limited-by-app-access-count", sub_msg: "This ban will last for 1 more seconds" });
    // A PandaPon request is not a TOP request: the rule does not apply.
    expect((await askInfo(mock)).status).toBe(200);
  });

  it("holds an answer for a fixed latency when the body matches, and not otherwise", async () => {
    mock.rules.add({ match: { operation: INFO, body: { refundId: "TQ1" } }, answer: { latency: { fixedMs: 400 } } });
    let start = performance.now();
    expect((await askInfo(mock, "TQ2")).status).toBe(200);
    expect(performance.now() - start).toBeLessThan(350);
    start = performance.now();
    const res = await askInfo(mock, "TQ1");
    expect(res.status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(390);
    expect(mock.journal.list({ limit: 1 })[0]).toMatchObject({ status: 200, delayMs: 400 });
  });

  it("does not take an object in the request for the text or number a rule looks for (one with a member toString made matching throw: a 500)", async () => {
    mock.rules.add({ match: { operation: INFO, body: { refundId: "TQ1" } }, answer: { http: 502 } });
    for (const refundId of [{ toString: 1 }, { toString: 1, valueOf: 1 }, ["TQ1"], { TQ1: 1 }]) {
      const res = await fetch(`${mock.url}${INFO}`, { method: "POST", headers: signedHeaders(), body: JSON.stringify({ refundId }) });
      expect(res.status, JSON.stringify(refundId)).toBe(400);
      expect(((await res.json()) as { code: number }).code).toBe(40002);
    }
    expect((await askInfo(mock, "TQ1")).status).toBe(502);
  });

  it("draws uniform and lognormal latencies from the seed: the same in two runs, inside their bounds", async () => {
    const draw = async () => {
      const other = await startMock({ seed: 5, state: "stateless" });
      try {
        other.rules.add([
          { name: "uniform", match: { operation: INFO, body: { refundId: "U" } }, answer: { latency: { minMs: 10, maxMs: 60 } } },
          { name: "lognormal", match: { operation: INFO, body: { refundId: "L" } }, answer: { latency: { medianMs: 20, sigma: 0.5, maxMs: 90 } } },
        ]);
        for (let i = 0; i < 6; i++) await Promise.all([askInfo(other, "U"), askInfo(other, "L")]);
        const delays = (rule: string) => other.journal.list().filter((e) => e.rule === rule).map((e) => e.delayMs!).reverse();
        return { uniform: delays("uniform"), lognormal: delays("lognormal") };
      } finally {
        await other.close();
      }
    };
    const first = await draw();
    expect(await draw()).toEqual(first);
    expect(first.uniform).toHaveLength(6);
    for (const ms of first.uniform) expect(ms).toBeGreaterThanOrEqual(10), expect(ms).toBeLessThanOrEqual(60);
    for (const ms of first.lognormal) expect(ms).toBeGreaterThan(0), expect(ms).toBeLessThanOrEqual(90);
    expect(new Set(first.uniform).size).toBeGreaterThan(1);
    expect(new Set(first.lognormal).size).toBeGreaterThan(1);
  });

  for (const [status, title] of [
    [502, "502 Bad Gateway"],
    [503, "503 Service Temporarily Unavailable"],
    [504, "504 Gateway Time-out"],
  ] as const) {
    it(`answers a gateway ${status}: an HTML page, not the API's envelope`, async () => {
      mock.rules.add({ match: { api: "pandapon" }, answer: { http: status } });
      const res = await askInfo(mock);
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("text/html");
      expect(await res.text()).toContain(`<title>${title}</title>`);
    });
  }

  it("resets the connection: fetch fails with ECONNRESET", async () => {
    mock.rules.add({ match: { operation: INFO }, answer: { fault: "connection-reset" } });
    const failure = await failureOf(askInfo(mock));
    expect(failure).toMatchObject({ name: "TypeError", message: "fetch failed" });
    expect(failure.cause).toMatch(/^ECONNRESET /);
  });

  it("closes the connection without answering: fetch fails with 'other side closed'", async () => {
    mock.rules.add({ match: { operation: INFO }, answer: { fault: "empty-response" } });
    const failure = await failureOf(askInfo(mock));
    expect(failure.message).toBe("fetch failed");
    expect(failure.cause).toBe("UND_ERR_SOCKET other side closed");
  });

  it("sends a malformed chunked body: the head arrives (200), reading the body fails", async () => {
    mock.rules.add({ match: { operation: INFO }, answer: { fault: "malformed-chunked" } });
    const res = await askInfo(mock);
    expect(res.status).toBe(200);
    const failure = await failureOf(res.text());
    expect(failure).toMatchObject({ name: "TypeError", message: "terminated" });
    expect(failure.cause).toMatch(/^HPE_INVALID_CHUNK_SIZE /);
  });

  it("sends random bytes then closes: fetch fails with an HTTP parse error; the bytes come from the seed", async () => {
    mock.rules.add({ match: { operation: INFO }, answer: { fault: { kind: "random-bytes", bytes: 48 } } });
    const failure = await failureOf(askInfo(mock));
    expect(failure.message).toBe("fetch failed");
    expect(failure.cause).toMatch(/^HPE_INVALID_CONSTANT .*Expected HTTP\//);
  });

  it("answers nothing until the client gives up (fetch's timeout), and closes the connection after holdMs", async () => {
    mock.rules.add({ match: { operation: INFO }, answer: { fault: { kind: "no-answer", holdMs: 1_500 } } });
    const start = performance.now();
    const failure = await failureOf(askInfo(mock, "TQ1", { signal: AbortSignal.timeout(300) }));
    expect(failure.name).toBe("TimeoutError");
    expect(performance.now() - start).toBeLessThan(1_400);
    // A client that waits longer sees the connection closed at holdMs.
    const patient = await failureOf(askInfo(mock, "TQ1", { signal: AbortSignal.timeout(10_000) }));
    expect(patient.cause).toMatch(/other side closed|ECONNRESET/);
    expect(performance.now() - start).toBeGreaterThanOrEqual(1_450);
  });

  it("journals a connection fault with status 0 and its kind", async () => {
    mock.rules.add({ name: "cut", match: { operation: INFO }, answer: { fault: "empty-response" } });
    await failureOf(askInfo(mock));
    expect(mock.journal.list({ status: 0 })[0]).toMatchObject({ api: "pandapon", operation: INFO, status: 0, code: "empty-response", rule: "cut" });
  });

  it("applies a rule named in x-pandapon-mock-rule to that request only; an unknown name is a 400 in the envelope", async () => {
    mock.rules.add({ name: "slow-gateway", match: { onlyWhenNamed: true }, answer: { http: 503 } });
    expect((await askInfo(mock)).status).toBe(200);
    expect((await askInfo(mock, "TQ1", { headers: { "x-pandapon-mock-rule": "slow-gateway" } })).status).toBe(503);
    expect((await askInfo(mock)).status).toBe(200);
    const unknown = await askInfo(mock, "TQ1", { headers: { "x-pandapon-mock-rule": "nope" } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { msg: string }).msg).toContain('No rule named "nope"');
    expect(mock.rules.list()[0]!.matched).toBe(1);
  });

  it("matches by tenant: another access-key is not touched", async () => {
    mock.rules.add({ match: { tenant: "someone-else" }, answer: { http: 502 } });
    expect((await askInfo(mock)).status).toBe(200);
    mock.rules.add({ match: { tenant: DEMO_PANDAPON.accessKey }, answer: { http: 502 } });
    expect((await askInfo(mock)).status).toBe(502);
  });

  it("checks rules after authentication: a bad signature is refused as usual, not given the rule's answer", async () => {
    mock.rules.add({ match: { operation: INFO }, answer: { http: 502 } });
    const res = await fetch(`${mock.url}${INFO}`, { method: "POST", headers: { ...signedHeaders(), signature: "0".repeat(64) }, body: '{"refundId":"TQ1"}' });
    expect(res.status).toBe(401);
  });

  it("refuses as table entries the names every object inherits (toString, constructor, __proto__…): such a rule made the next request it matched throw in the server", async () => {
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(() => mock.rules.add({ answer: { error: name } } as never)).toThrow(`answer.error "${name}" is in neither error table`);
      expect(() => mock.rules.add({ answer: { top: name } } as never)).toThrow(`answer.top "${name}" is not in the TOP tables`);
    }
    expect(mock.rules.list()).toEqual([]);
    expect((await askInfo(mock)).status).toBe(200);
  });

  it("refuses a rule it cannot take, saying why, and adds none of the lot", () => {
    expect(() => mock.rules.add([{ match: { operation: INFO }, answer: { http: 502 } }, { match: { operation: "/no/such" }, answer: { http: 502 } }])).toThrow(RuleError);
    expect(() => mock.rules.add({ answer: {} } as never)).toThrow(/needs one of error, top, http, fault or latency/);
    expect(() => mock.rules.add({ answer: { http: 500 } } as never)).toThrow(/502, 503 or 504/);
    expect(() => mock.rules.add({ match: { operation: INFO }, answer: { top: "APP_CALL_LIMITED" } })).toThrow(/pandapon operation/);
    expect(mock.rules.list()).toEqual([]);
  });
});

describe("seeded probability", () => {
  /** Which of 60 requests a rule with probability 0.3 failed, on a fresh mock with this seed. */
  async function failures(seed: number): Promise<number[]> {
    const mock = await startMock({ seed, state: "stateless" });
    try {
      mock.rules.add({ match: { api: "pandapon", probability: 0.3 }, answer: { http: 503 } });
      const failed: number[] = [];
      for (let i = 0; i < 60; i++) if ((await askInfo(mock, `TQ${i}`)).status === 503) failed.push(i);
      expect(mock.rules.list()[0]!.matched).toBe(failed.length);
      return failed;
    } finally {
      await mock.close();
    }
  }

  it("fails the same requests in two runs with the same seed, others with another seed, about the given share", async () => {
    const first = await failures(3);
    expect(await failures(3)).toEqual(first);
    expect(await failures(4)).not.toEqual(first);
    expect(first.length).toBeGreaterThan(6);
    expect(first.length).toBeLessThan(32);
  });
});

describe("the admin API for rules", () => {
  let mock: StartedMock;
  beforeAll(async () => {
    mock = await startMock({ seed: 2, state: "stateless" });
  });
  afterAll(() => mock.close());
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${mock.url}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

  it("takes one rule or an array, answers their ids, lists them with match counts, deletes one by id or name, or all", async () => {
    const one = await admin("POST", "/__mock/rules", { name: "info-down-once", match: { operation: INFO, times: 1 }, answer: { error: { code: 50001, msg: "系统繁忙" } } });
    expect(one.status).toBe(201);
    expect(one.body.rules).toEqual([expect.objectContaining({ id: expect.stringMatching(/^r\d+$/), name: "info-down-once", matched: 0 })]);
    const two = await admin("POST", "/__mock/rules", [
      { match: { operation: DETAIL }, answer: { top: { code: 7, msg: "App Call Limited", sub_code: "accesscontrol.limited-by-app-access-count" } } },
      { match: { api: "pandapon", probability: 0.1 }, answer: { fault: "connection-reset" } },
    ]);
    expect(two.body.rules).toHaveLength(2);
    expect((await askInfo(mock)).status).toBe(200);
    const listed = await admin("GET", "/__mock/rules");
    expect(listed.body.rules.map((r: { matched: number }) => r.matched)).toEqual([1, 0, 0]);
    expect((await admin("DELETE", `/__mock/rules/${two.body.rules[0].id}`)).body).toEqual({ removed: 1 });
    expect((await admin("DELETE", "/__mock/rules/info-down-once")).body).toEqual({ removed: 1 });
    expect((await admin("DELETE", "/__mock/rules/info-down-once")).status).toBe(404);
    expect((await admin("DELETE", "/__mock/rules")).body).toEqual({ removed: 1 });
    expect((await admin("GET", "/__mock/rules")).body.rules).toEqual([]);
  });

  it("refuses a bad rule with 400 and says why; adds nothing", async () => {
    const bad = await admin("POST", "/__mock/rules", [{ answer: { http: 502 } }, { match: { times: 0 }, answer: { http: 502 } }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/rule 2: match.times must be a whole number ≥ 1.*Nothing was added/);
    expect((await admin("GET", "/__mock/rules")).body.rules).toEqual([]);
  });

  it("refuses numbers beyond doubles and long values with 400 (they were a TypeError: a 500), repeating at most 80 characters of a value", async () => {
    const post = (body: string) => fetch(`${mock.url}/__mock/rules`, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (res) => ({ status: res.status, body: (await res.json()) as { error: string } }));
    const cases: Array<[string, RegExp]> = [
      ['{"answer":{"latency":{"fixedMs":123456789012345678901}}}', /answer.latency.fixedMs must be a number of milliseconds from 0 to \d+, not 123456789012345678901\./],
      ['{"match":{"times":123456789012345678901},"answer":{"http":502}}', /match.times must be a whole number ≥ 1, not 123456789012345678901\./],
      ['{"match":{"probability":123456789012345678901},"answer":{"http":502}}', /match.probability must be a number from 0 to 1, not 123456789012345678901\./],
      ['{"answer":{"http":123456789012345678901}}', /answer.http must be 502, 503 or 504, not 123456789012345678901\./],
      ['{"answer":{"fault":{"kind":"no-answer","holdMs":123456789012345678901}}}', /answer.fault.holdMs must be/],
      [`{"match":{"api":"${"x".repeat(5_000)}"},"answer":{"http":502}}`, /match.api must be "pandapon" or "top", not "x{79}…\(4922 more characters\)\./],
      [`{"answer":{"http":502,"${"k".repeat(5_000)}":1}}`, /unknown answer member "k{80}…\(4920 more characters\)"/],
    ];
    for (const [body, words] of cases) {
      const res = await post(body);
      expect(res.status, body.slice(0, 100)).toBe(400);
      expect(res.body.error).toMatch(words);
    }
    expect((await admin("GET", "/__mock/rules")).body.rules).toEqual([]);
  });

  it("keeps the new routes behind the admin guard: a foreign Host is refused, a cross-origin DELETE too", async () => {
    const { request } = await import("undici");
    for (const [method, path] of [["GET", "/__mock/rules"], ["POST", "/__mock/rules"], ["DELETE", "/__mock/rules"], ["DELETE", "/__mock/journal"]] as const) {
      const res = await request(`${mock.url}${path}`, { method, headers: { host: "evil.example" }, body: method === "POST" ? "{}" : undefined });
      expect(res.statusCode).toBe(403);
      await res.body.dump();
    }
    const cross = await fetch(`${mock.url}/__mock/journal`, { method: "DELETE", headers: { origin: "http://evil.example" } });
    expect(cross.status).toBe(403);
  });
});

describe("rules from the start (config file, library)", () => {
  it("takes rules at start, and reset() brings them back with their counts at 0", async () => {
    const mock = await startMock({ seed: 1, state: "stateless", rules: [{ name: "once", match: { operation: INFO, times: 1 }, answer: { http: 504 } }] });
    try {
      expect((await askInfo(mock)).status).toBe(504);
      expect((await askInfo(mock)).status).toBe(200);
      await mock.reset();
      expect(mock.rules.list()).toEqual([expect.objectContaining({ name: "once", matched: 0 })]);
      expect((await askInfo(mock)).status).toBe(504);
    } finally {
      await mock.close();
    }
  });
});
