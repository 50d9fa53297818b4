import request from "supertest";
import { describe, expect, it } from "vitest";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { getCore } from "../mock/app.js";
import { getCatalog } from "../schemas/catalog.js";
import { NOW, setupMock } from "./helpers/mock-setup.js";

const INFO = "/alibaba/refund/info";
const RETURN = "/v2/alibaba/refund/goods/return";
const GOOD_RETURN = { refundId: "TQ36706338027991577", logisticsCompanyNo: "ZTO", freightBill: "3110044550034338", description: "已寄回", vouchers: [] };

describe("PandaPon success", () => {
  it("answers a signed request in the envelope with code 200, 成功, a string developId and the refundId asked for", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders()).send({ refundId: "TQ8651493722961198" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ code: 200, msg: "成功", developId: "1014533973088404335", data: { refundId: "TQ8651493722961198" } });
    expect(res.body.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(getCatalog().find(INFO)!.checkResponse(res.body)).toEqual([]);
  });

  it("sends the answer as UTF-8 whose Content-Length counts its bytes, errors included", async () => {
    const { app, pandaponHeaders } = setupMock();
    const strict = new TextDecoder("utf-8", { fatal: true });
    const ok = await request(app).post(INFO).set(pandaponHeaders()).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(null, Buffer.concat(chunks)));
    }).send({ refundId: "TQ退款1" });
    const bytes = ok.body as Buffer;
    expect(Number(ok.headers["content-length"])).toBe(bytes.length);
    const text = strict.decode(bytes);
    expect(text).toContain('"msg":"成功"');
    expect(text).toContain('"refundId":"TQ退款1"');
    const bad = await request(app).post(INFO).set({ ...pandaponHeaders(), "access-key": "no-such-key" }).send({ refundId: "TQ1" });
    expect(Number(bad.headers["content-length"])).toBe(Buffer.byteLength(bad.text));
    expect(bad.body.data).toBeNull();
  });

  it("sends 19-digit order ids as exact integer literals", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders()).send({ refundId: "TQ1" });
    expect(res.text).toMatch(/"orderId":2\d{18}[,}]/);
  });

  it("gives the same bytes for the same seed and request, and other bytes for another seed", async () => {
    const a = setupMock({ seed: 9 });
    const b = setupMock({ seed: 9 });
    const c = setupMock({ seed: 10 });
    const ask = (s: ReturnType<typeof setupMock>) => request(s.app).post(INFO).set(s.pandaponHeaders()).send({ refundId: "TQ42" });
    const [ra, rb, rc] = await Promise.all([ask(a), ask(b), ask(c)]);
    expect(ra.text).toBe(rb.text);
    expect(rc.text).not.toBe(ra.text);
  });

  it("accepts a request without nonce-str (optional on the API pages) unless nonces are required", async () => {
    const { app, pandaponHeaders } = setupMock();
    expect((await request(app).post(INFO).set(pandaponHeaders({ "nonce-str": undefined })).send({ refundId: "TQ1" })).body.code).toBe(200);
    const strict = setupMock({ pandapon: { requireNonce: true } });
    const res = await request(strict.app).post(INFO).set(strict.pandaponHeaders({ "nonce-str": undefined })).send({ refundId: "TQ1" });
    expect(res.body).toMatchObject({ code: 40101, data: null });
    expect(res.body.msg).toContain('"nonce-str"');
  });

  it("serves the v2 return-goods operation with its documented answer", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(RETURN).set(pandaponHeaders()).send(GOOD_RETURN);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ errorCode: null, errorInfo: null, success: true });
  });

  it("accepts several configured keys and answers with each key's developId", async () => {
    const { app, pandaponHeaders } = setupMock({ pandapon: { keys: [{ ...DEMO_PANDAPON, developId: "1" }, { accessKey: "k2", secret: "s2", developId: "1110890638347337996" }] } });
    const res = await request(app).post(INFO).set(pandaponHeaders({ "access-key": "k2" }, "s2")).send({ refundId: "TQ1" });
    expect(res.body).toMatchObject({ code: 200, developId: "1110890638347337996" });
  });

  it("skips every credential check when signatures are not verified", async () => {
    const { app } = setupMock({ verifySignatures: false });
    const res = await request(app).post(INFO).send({ refundId: "TQ1" });
    expect(res.body.code).toBe(200);
  });
});

describe("PandaPon authentication errors", () => {
  for (const header of ["access-key", "timestamp", "user-id", "signature"]) {
    it(`names the missing ${header} header`, async () => {
      const { app, pandaponHeaders } = setupMock();
      const headers = pandaponHeaders();
      delete headers[header];
      const res = await request(app).post(INFO).set(headers).send({ refundId: "TQ1" });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 40101, data: null });
      expect(res.body.msg).toContain(`"${header}"`);
    });
  }

  it("rejects an unknown access-key with 403", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders({ "access-key": "nope" })).send({ refundId: "TQ1" });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 40301, data: null });
  });

  it("rejects a timestamp older than 600 s and says the server time and the window", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders({ timestamp: String(NOW - 600_001) })).send({ refundId: "TQ1" });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(40102);
    expect(res.body.msg).toContain(String(NOW));
    expect(res.body.msg).toContain("±600 s");
    const ok = await request(app).post(INFO).set(pandaponHeaders({ timestamp: String(NOW - 600_000) })).send({ refundId: "TQ1" });
    expect(ok.body.code).toBe(200);
  });

  it("rejects a timestamp that is not epoch milliseconds", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders({ timestamp: "2025-05-14 12:00:00" })).send({ refundId: "TQ1" });
    expect(res.body.code).toBe(40102);
    expect(res.body.msg).toContain("epoch milliseconds");
  });

  it("rejects a replayed nonce but not the first use", async () => {
    const { app, pandaponHeaders } = setupMock();
    const headers = pandaponHeaders();
    expect((await request(app).post(INFO).set(headers).send({ refundId: "TQ1" })).body.code).toBe(200);
    const again = await request(app).post(INFO).set(headers).send({ refundId: "TQ1" });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe(40103);
  });

  it("shows the expected string-to-sign with the secret masked on a wrong signature", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders({}, "wrong-secret")).send({ refundId: "TQ1" });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(40104);
    expect(res.body.msg).toMatch(/access-key=58c0201dfdf148eca63cbf6bb5e7cf03&nonce-str=\w{32}&timestamp=\d{13}&key=\*{6}/);
    expect(res.text).not.toContain(DEMO_PANDAPON.secret);
  });

  it("does not burn a nonce on a request with a bad signature", async () => {
    const { app, pandaponHeaders } = setupMock();
    const good = pandaponHeaders();
    await request(app).post(INFO).set({ ...good, signature: "0".repeat(32) }).send({ refundId: "TQ1" });
    expect((await request(app).post(INFO).set(good).send({ refundId: "TQ1" })).body.code).toBe(200);
  });
});

describe("PandaPon request errors", () => {
  it("rejects malformed JSON with 400 and the parser's reason", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders()).set("content-type", "application/json").send('{"refundId": "TQ1"');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 40001, data: null });
    expect(res.body.msg).toContain("Malformed JSON");
  });

  it("rejects a JSON body that is not an object", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders()).set("content-type", "application/json").send("[1,2]");
    expect(res.body.code).toBe(40001);
  });

  it("rejects a body that is not application/json with 415", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders()).set("content-type", "text/plain").send("refundId=TQ1");
    expect(res.status).toBe(415);
    expect(res.body.code).toBe(41501);
  });

  it("names every violated field: missing required, too many vouchers, description too short", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app)
      .post(RETURN)
      .set(pandaponHeaders())
      .send({ refundId: "36706338027991577", description: "寄", vouchers: Array.from({ length: 11 }, (_, i) => `u${i}`) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 40002, data: null });
    for (const part of ["logisticsCompanyNo is required", "freightBill is required", 'refundId must match pattern "^TQ"', "description must NOT have fewer than 2 characters", "vouchers must NOT have more than 10 items"]) {
      expect(res.body.msg).toContain(part);
    }
  });

  it("rejects a wrong type with the field path", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post(INFO).set(pandaponHeaders()).send({ refundId: 42 });
    expect(res.body.msg).toContain("refundId must be string");
  });

  it("answers 404 in the envelope for an unknown path and 405 for a known path with the wrong method", async () => {
    const { app, pandaponHeaders } = setupMock();
    const missing = await request(app).post("/alibaba/refund/nothing").set(pandaponHeaders()).send({});
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 40401, data: null });
    const wrong = await request(app).get(INFO).set(pandaponHeaders());
    expect(wrong.status).toBe(405);
    expect(wrong.body).toMatchObject({ code: 40501, data: null });
    expect(wrong.body.msg).toContain("use POST");
  });

  it("answers 413 in the envelope for a body over the limit", async () => {
    const { app, pandaponHeaders } = setupMock({ bodyLimitBytes: 1000 });
    const res = await request(app).post(INFO).set(pandaponHeaders()).send({ refundId: "TQ" + "1".repeat(2000) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 41301, data: null });
  });

  it("uses configured statuses and codes from the error table", async () => {
    const { app, pandaponHeaders } = setupMock({ pandapon: { errors: { BAD_SIGNATURE: { status: 200, code: 1001 } } } });
    const res = await request(app).post(INFO).set(pandaponHeaders({ signature: "X" })).send({ refundId: "TQ1" });
    expect(res.status).toBe(200);
    expect(res.body.code).toBe(1001);
  });

  it("records what happened in the journal without secrets", async () => {
    const { app, pandaponHeaders } = setupMock();
    await request(app).post(INFO).set(pandaponHeaders({}, "bad")).send({ refundId: "TQ1" });
    const journal = await request(app).get("/__mock/journal");
    // Newest first.
    expect(journal.body.entries[0]).toMatchObject({ api: "pandapon", operation: INFO, status: 401, code: 40104 });
    expect(JSON.stringify(getCore(app).readJournal())).not.toContain(DEMO_PANDAPON.secret);
    expect(journal.text).not.toContain(DEMO_PANDAPON.secret);
    expect(journal.body.entries[0].at).toBe("2025-05-14T12:00:00.000Z");
  });

  it("reports health", async () => {
    const { app } = setupMock();
    const res = await request(app).get("/__mock/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
  });
});
