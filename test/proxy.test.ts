import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "lossless-json";
import { describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopParams, toFormBody } from "../client/create-top-params.js";
import { createTopClient } from "../client/create-top-client.js";
import { createApp } from "../mock/app.js";
import { loadReplayBook } from "../mock/replay/create-replay-book.js";
import { startServer } from "../mock/start-server.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { getCatalog } from "../schemas/catalog.js";
import { checkRecordings } from "../proxy/check-recordings.js";
import type { ProxyOptions } from "../proxy/create-proxy.js";
import { createProxy } from "../proxy/create-proxy.js";
import { toProxyRun, toProxySummary } from "../proxy/to-proxy-run.js";
import { findRefusingUrl, playUpstream } from "./helpers/play-upstream.js";
import type { PlayOptions } from "./helpers/play-upstream.js";

const REFUND = { refund_detail_order_req: { dispute_id: "10000001", buyer_id: 10000001 } };
const PHONE = "13812345678";

/** A played upstream, the proxy in front of it (both on 127.0.0.1) and signing clients that call the proxy. */
async function setup(play: PlayOptions = {}, proxy: Partial<ProxyOptions> = {}) {
  const upstream = await playUpstream(play);
  const app = createProxy({ target: upstream.url, ...proxy });
  const running = await startServer(app, 0, "127.0.0.1");
  const pandapon = createPandaponClient({ baseUrl: running.url, ...DEMO_PANDAPON, retries: 0, timeoutMs: 5000 });
  const top = createTopClient({ gateway: running.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format: "json" });
  const topXml = createTopClient({ gateway: running.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format: "xml" });
  const results = async () => (await app.settle(), app.readResults());
  return { app, upstream, url: running.url, pandapon, top, topXml, results, stop: async () => (await app.settle(), await running.close(), await upstream.stop()) };
}

/** The answer of /alibaba/refund/info with one undocumented member added, a documented string member made a number, and `remark` left out. */
function driftRefund(body: string, url: string): string {
  if (!url.startsWith("/alibaba/refund/info")) return body;
  const doc = parse(body) as { data: Record<string, unknown> | null };
  if (!doc.data) return body;
  const data = doc.data;
  const name = Object.keys(data).find((k) => typeof data[k] === "string")!;
  data[name] = 12345;
  data.surpriseField = "new in the API";
  delete data.remark;
  return stringify(doc)!;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "pandapon-proxy-"));
}

describe("proxy: forwarding", () => {
  it("forwards a signed PandaPon request and its answer byte for byte, and finds nothing wrong with a conforming API", async () => {
    const t = await setup();
    try {
      const call = await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(call.status).toBe(200);
      expect(call.apiError).toBeUndefined();
      const seen = t.upstream.seen[0]!;
      expect(seen.body.toString("utf8")).toBe(call.request.body);
      for (const name of ["access-key", "signature", "timestamp", "nonce-str", "user-id", "content-type"]) expect(seen.headers[name]).toBe(call.request.headers[name]);
      expect(Buffer.from(call.rawBody)).toEqual(seen.answer.body);
      expect(call.headers["x-upstream"]).toBe("played");
      const [result] = await t.results();
      expect(result).toMatchObject({ operation: "/alibaba/refund/info", outcome: "passed", status: 200, sequence: 1 });
    } finally {
      await t.stop();
    }
  });

  it("forwards TOP calls unchanged in JSON and XML, form-encoded and multipart, and checks each", async () => {
    const t = await setup();
    try {
      const json = await t.top.call("taobao.pc.refund.detail", REFUND);
      const xml = await t.topXml.call("taobao.pc.refund.detail", REFUND);
      expect(json.apiError).toBeUndefined();
      expect(xml.rawBody.startsWith("<?xml")).toBe(true);
      expect(Buffer.from(json.rawBody)).toEqual(t.upstream.seen[0]!.answer.body);
      expect(Buffer.from(xml.rawBody)).toEqual(t.upstream.seen[1]!.answer.body);
      const params = createTopParams({ method: "taobao.pc.refund.detail", appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, signMethod: "md5", timestamp: Date.now(), format: "json", params: REFUND });
      const boundary = "proxyboundary7";
      const multipart = Buffer.from(Object.entries(params).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`);
      const res = await fetch(`${t.url}/router/rest`, { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body: multipart });
      const body = Buffer.from(await res.arrayBuffer());
      expect(t.upstream.seen[2]!.body).toEqual(multipart);
      expect(body).toEqual(t.upstream.seen[2]!.answer.body);
      expect(body.toString()).toContain("refund_detail_response");
      const query = await fetch(`${t.url}/router/rest?${toFormBody({ ...params, sign: params.sign! })}`);
      expect(t.upstream.seen[3]!.url).toBe(`/router/rest?${toFormBody(params)}`);
      expect(Buffer.from(await query.arrayBuffer())).toEqual(t.upstream.seen[3]!.answer.body);
      const results = await t.results();
      expect(results.map((r) => [r.operation, r.outcome])).toEqual(Array(4).fill(["taobao.pc.refund.detail", "passed"]));
    } finally {
      await t.stop();
    }
  });

  it("finds the violations of a drifting API and of a bad request, and still passes both through unchanged", async () => {
    const t = await setup({ drift: driftRefund });
    try {
      const drifted = await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(drifted.rawBody).toContain("surpriseField");
      const bad = await t.pandapon.call("/alibaba/refund/info", { refundId: 8651493722961198123n });
      expect(bad.status).toBe(400);
      const [one, two] = await t.results();
      expect(one!.outcome).toBe("failed");
      expect(one!.responseViolations.map((v) => v.rule)).toEqual(expect.arrayContaining(["type", "drift"]));
      expect(one!.responseViolations.find((v) => v.rule === "drift")!.path).toBe("data.surpriseField");
      expect(two!.outcome).toBe("failed");
      expect(two!.requestViolations.find((v) => v.path === "refundId")).toMatchObject({ rule: "type" });
      // The 19-digit id reached the upstream as written.
      expect(t.upstream.seen[1]!.body.toString()).toContain("8651493722961198123");
      expect(t.app.readJournal().map((e) => e.outcome)).toEqual(["failed", "failed"]);
    } finally {
      await t.stop();
    }
  });
});

describe("proxy: when the checks fall behind", () => {
  it("forwards every exchange whole, and counts and journals the ones its check queue had no room for", async () => {
    const t = await setup({}, { checkQueue: { maxPendingBytes: 1 } });
    try {
      for (let i = 0; i < 3; i++) {
        const call = await t.pandapon.call("/alibaba/refund/info", { refundId: `TQ7${i}` });
        expect(call.status).toBe(200);
        expect(Buffer.from(call.rawBody)).toEqual(t.upstream.seen[i]!.answer.body);
      }
      expect(await t.results()).toEqual([]);
      expect(t.app.readUncheckedCount()).toBe(3);
      expect(t.app.readJournal().map((e) => [e.outcome, e.operation, e.status])).toEqual(Array(3).fill(["unchecked", "POST /alibaba/refund/info", 200]));
      expect(t.app.readJournal()[0]!.reason).toContain("the checks fell behind");
      const run = toProxyRun(t.app.readResults(), "2026-01-01T00:00:00.000Z", 1, t.app.readSummary());
      expect(toProxySummary(run, 0, t.app.readUncheckedCount())).toContain("3 more exchanges were forwarded but NOT checked");
    } finally {
      await t.stop();
    }
  });
});

describe("proxy: upstream failures", () => {
  it("passes a 503 through as it came, and reports it as an upstream error, not a contract failure", async () => {
    const t = await setup({ fail: { status: 503, contentType: "text/html", body: "<html>maintenance</html>" } });
    try {
      const res = await fetch(`${t.url}/alibaba/refund/info`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"refundId":"TQ77"}' });
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("text/html");
      expect(await res.text()).toBe("<html>maintenance</html>");
      const [result] = await t.results();
      expect(result).toMatchObject({ outcome: "error", status: 503, reason: "the upstream answered HTTP 503" });
    } finally {
      await t.stop();
    }
  });

  it("answers 502 in the protocol's shape when the upstream refuses the connection", async () => {
    const target = await findRefusingUrl();
    const app = createProxy({ target });
    const running = await startServer(app, 0, "127.0.0.1");
    try {
      const pandapon = await fetch(`${running.url}/alibaba/refund/info`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"refundId":"TQ77"}' });
      expect(pandapon.status).toBe(502);
      expect(pandapon.headers.get("x-pandapon-mock-proxy")).toBe("upstream-unreachable");
      expect(await pandapon.json()).toMatchObject({ requestId: null, code: 50201, data: null, msg: expect.stringContaining("could not be reached") });
      const top = await fetch(`${running.url}/router/rest?method=taobao.pc.refund.detail&format=json`);
      expect(top.status).toBe(502);
      expect(await top.json()).toMatchObject({ error_response: { code: 15, sub_code: "isp.proxy-upstream-unreachable" } });
      await app.settle();
      expect(app.readResults().map((r) => r.outcome)).toEqual(["error", "error"]);
    } finally {
      await running.close();
    }
  });

  it("waits for a slow upstream within the timeout, and answers 504 beyond it", async () => {
    const slow = await setup({ delayMs: 300 }, { timeoutMs: 5000 });
    try {
      const call = await slow.pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(call.status).toBe(200);
      expect(Buffer.from(call.rawBody)).toEqual(slow.upstream.seen[0]!.answer.body);
    } finally {
      await slow.stop();
    }
    const late = await setup({ delayMs: 1000 }, { timeoutMs: 100 });
    try {
      const call = await late.pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(call.status).toBe(504);
      expect(call.apiError).toMatchObject({ code: "50401" });
      const [result] = await late.results();
      expect(result).toMatchObject({ outcome: "error" });
    } finally {
      await late.stop();
    }
  });
});

describe("proxy: recording, replay and the drift check", () => {
  it("records each exchange under a stable name with no credential, signature, user id or phone number in any file", async () => {
    const dir = tempDir();
    const phoneInAnswer = (body: string) => body.replace('"msg":"', `"receiverPhone":"${PHONE}","msg":"`);
    const t = await setup({ drift: phoneInAnswer }, { recordDir: dir });
    try {
      const a = await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77", mobile: PHONE });
      await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77", mobile: PHONE });
      const b = await t.top.call("taobao.pc.refund.detail", REFUND);
      await t.results();
      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(3);
      expect(files[0]).toMatch(/^alibaba-refund-info-[0-9a-f]{12}-0001\.json$/);
      expect(files[1]).toBe(files[0]!.replace("0001", "0002"));
      expect(files[2]).toMatch(/^taobao-pc-refund-detail-[0-9a-f]{12}-0001\.json$/);
      const texts = files.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
      const secrets = [DEMO_PANDAPON.accessKey, DEMO_PANDAPON.secret, DEMO_PANDAPON.userId, DEMO_TOP.appKey, DEMO_TOP.secret, a.request.headers.signature!, new URLSearchParams(b.request.body).get("sign")!, PHONE];
      for (const secret of secrets) expect(texts).not.toContain(secret);
      const recording = JSON.parse(readFileSync(join(dir, files[0]!), "utf8"));
      expect(recording).toMatchObject({ operation: "/alibaba/refund/info", sequence: 1, request: { business: '{"mobile":"******","refundId":"TQ77"}' }, answer: { status: 200 } });
      expect(recording.answer.body).toContain('"receiverPhone":"******"');
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true });
    }
  });

  it("masks mobile numbers in any form and the request's credentials wherever a drifting upstream echoes them, under other names, and the recordings stay valid JSON", async () => {
    const dir = tempDir();
    // The upstream echoes what the request carried, under names no masking rule knows: the access key in upper
    // case, the user id as a number, the signature in lower case, a TOP app_key as a number and its sign; phone numbers as people write them.
    const echo = (body: string, _url: string, request: { headers: Record<string, unknown>; body: Buffer }) => {
      const doc = JSON.parse(body) as Record<string, unknown>;
      const form = new URLSearchParams(request.body.toString("utf8"));
      const echoed = {
        caller: String(request.headers["access-key"] ?? form.get("sign")).toUpperCase(),
        seen: String(request.headers.signature ?? form.get("sign")).toLowerCase(),
        contact: "+86 138-1234-5678",
        note: `call 86${PHONE} or 0086-${PHONE}, or ${PHONE.slice(0, 3)} ${PHONE.slice(3, 7)} ${PHONE.slice(7)}`,
      };
      const numbers = `,"who":${String(request.headers["user-id"] ?? form.get("app_key"))}`;
      return JSON.stringify({ ...doc, echoed }).replace(/}$/, `${numbers}}`);
    };
    const t = await setup({ drift: echo }, { recordDir: dir });
    try {
      const a = await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77", contact: `+86${PHONE}` });
      const b = await t.top.call("taobao.pc.refund.detail", REFUND);
      expect(a.rawBody).toContain(`"who":${DEMO_PANDAPON.userId}`);
      expect(b.rawBody).toContain(`"who":${DEMO_TOP.appKey}`);
      await t.results();
      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(2);
      const recordings = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as { request: { business: string }; answer: { body: string } });
      const texts = files.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
      const sign = new URLSearchParams(b.request.body).get("sign")!;
      for (const secret of [DEMO_PANDAPON.accessKey, a.request.headers.signature!, sign]) expect(texts.toLowerCase()).not.toContain(secret.toLowerCase());
      expect(texts).not.toMatch(new RegExp(`(?<!\\d)(${DEMO_PANDAPON.userId}|${DEMO_TOP.appKey})(?!\\d)`));
      expect(texts.replace(/\D/g, "")).not.toContain(PHONE);
      // Still JSON, numbers still numbers of the same size: replay and check-recordings read them.
      for (const r of recordings) expect(() => JSON.parse(r.answer.body)).not.toThrow();
      expect(JSON.parse(recordings[0]!.answer.body).who).toBe(1_000_000_000_000);
      expect(JSON.parse(recordings[1]!.answer.body).who).toBe(10_000_000);
      expect(recordings[0]!.request.business).toBe('{"contact":"1000000000000","refundId":"TQ77"}');
      expect(checkRecordings(dir).unreadable).toEqual([]);
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true });
    }
  });

  it("replays a recorded answer for a matching request with a fresh requestId, generates for others, and refuses them when strict", async () => {
    const dir = tempDir();
    const t = await setup({ drift: driftRefund }, { recordDir: dir });
    let recorded: string;
    let recordedTop: string;
    try {
      recorded = (await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77" })).rawBody;
      await t.topXml.call("taobao.pc.refund.detail", REFUND);
      // What replay answers is what was recorded (masked), not what the client saw.
      [recorded, recordedTop] = (await t.results()).map((r) => JSON.parse(readFileSync(join(dir, r.recording!), "utf8")).answer.body as string) as [string, string];
    } finally {
      await t.stop();
    }
    try {
      for (const strict of [false, true]) {
        const mock = await startServer(createApp({ replay: loadReplayBook(dir, getCatalog(), strict) }), 0, "127.0.0.1");
        const pandapon = createPandaponClient({ baseUrl: mock.url, ...DEMO_PANDAPON, retries: 0 });
        const top = createTopClient({ gateway: mock.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format: "xml" });
        try {
          const again = await pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
          expect(again.rawBody).toContain("surpriseField");
          const requestId = (again.envelope as { requestId: string }).requestId;
          expect(requestId).toMatch(/^[0-9a-f]{32}$/);
          expect(recorded).not.toContain(requestId);
          // The recorded answer, in a fresh envelope: this request's requestId, the mock's developId where it was masked.
          expect(again.rawBody).toBe(recorded.replace(/"requestId":"[^"]*"/, `"requestId":"${requestId}"`).replace('"developId":"******"', '"developId":"1014533973088404335"'));
          const topAgain = await top.call("taobao.pc.refund.detail", REFUND);
          expect(topAgain.rawBody.replace(/<request_id>[^<]*</, "<request_id><")).toBe(recordedTop.replace(/<request_id>[^<]*</, "<request_id><"));
          const other = await pandapon.call("/alibaba/refund/info", { refundId: "TQ78" });
          if (strict) {
            expect(other.status).toBe(404);
            expect(other.apiError).toMatchObject({ code: "40401" });
            expect(other.apiError!.msg).toContain("No recorded exchange");
            const otherTop = await top.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: "2", buyer_id: 2 } });
            expect(otherTop.apiError).toMatchObject({ code: "15", subCode: "isv.replay-not-recorded" });
          } else {
            expect(other.status).toBe(200);
            expect(other.rawBody).not.toContain("surpriseField");
          }
        } finally {
          await mock.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("reports what a drifting upstream did: undocumented members, type differences, documented members never sent", async () => {
    const dir = tempDir();
    const t = await setup({ drift: driftRefund }, { recordDir: dir });
    try {
      await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ78" });
      await t.results();
      const check = checkRecordings(dir);
      const [op] = check.operations;
      expect(op).toMatchObject({ operation: "/alibaba/refund/info", recordings: 2, successes: 2 });
      expect(op!.undocumented).toEqual([{ path: "data.surpriseField", count: 2 }]);
      expect(op!.typeDifferences).toHaveLength(1);
      expect(op!.typeDifferences[0]).toMatchObject({ count: 2, path: "data.createBy", message: expect.stringContaining("must be string") });
      expect(op!.neverSent).toContain("data.remark");
      expect(op!.neverSent).not.toContain("data.refundId");
      expect(check.unreadable).toEqual([]);
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true });
    }
  });
});
