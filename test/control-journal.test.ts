import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pool } from "undici";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import type { StartedMock } from "../mock/start-mock.js";
import { startMock } from "../mock/start-mock.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { exposeGc } from "./helpers/expose-gc.js";

// The journal with bodies: what a test asserts on ("this was called with that"), masked and bounded.

const INFO = "/alibaba/refund/info";
const DETAIL = "taobao.pc.refund.detail";
const OTHER_KEY = { accessKey: "second-access-key", secret: "second-secret-0123456789", userId: "2" };

describe("the journal with bodies", () => {
  let mock: StartedMock;
  const log: string[] = [];
  beforeAll(async () => {
    mock = await startMock({ seed: 3, state: "memory", log: (line) => log.push(line), pandapon: { keys: [{ ...DEMO_PANDAPON }, OTHER_KEY] } });
  });
  afterAll(() => mock.close());
  const pandapon = (key: { accessKey: string; secret: string; userId: string } = DEMO_PANDAPON) => createPandaponClient({ baseUrl: mock.url, ...key, retries: 0 });
  const top = { call: (method: string, payload: Record<string, unknown>) => createTopClient({ gateway: mock.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0 }).call(method, payload) };

  it("keeps each request (method, path, headers, body) and answer (status, body), newest first", async () => {
    mock.journal.clear();
    const first = await pandapon().call(INFO, { refundId: "TQ1" });
    await pandapon().call(INFO, { refundId: "TQ2" });
    const [newest, older] = mock.journal.list();
    expect(newest!.request).toMatchObject({ method: "POST", path: INFO, body: '{"refundId":"TQ2"}' });
    expect(older!.request!.body).toBe('{"refundId":"TQ1"}');
    expect(older!.response).toEqual({ status: 200, contentType: "application/json;charset=UTF-8", body: first.rawBody });
    expect(older!.tenant).toBe(DEMO_PANDAPON.accessKey);
    expect(older!.request!.headers["access-key"]).toBe(DEMO_PANDAPON.accessKey);
    expect(newest!.id).toBeGreaterThan(older!.id!);
  });

  it("masks the signature header, TOP's sign and session, and every configured secret, in entries, the admin answer and log lines", async () => {
    mock.journal.clear();
    const sent = await pandapon().call(INFO, { refundId: "TQ1" });
    // A careless client that puts its secret into a body: the journal shows it masked.
    await pandapon().call(INFO, { refundId: DEMO_PANDAPON.secret });
    const topClient = createTopClient({ gateway: mock.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, session: "session-key-6200000000" });
    const topSent = await topClient.call(DETAIL, { refund_detail_order_req: { dispute_id: "2400000000000001", buyer_id: "2200000000001" } });
    const signature = sent.request.headers.signature!;
    const topSign = new URLSearchParams(topSent.request.body ?? new URL(topSent.request.url).search).get("sign")!;
    expect(signature.length).toBeGreaterThan(10);
    expect(topSign.length).toBeGreaterThan(10);
    const adminText = await (await fetch(`${mock.url}/__mock/journal`)).text();
    const entries = JSON.stringify(mock.journal.list());
    for (const text of [adminText, entries, log.join("\n")]) {
      for (const secret of [DEMO_PANDAPON.secret, DEMO_TOP.secret, OTHER_KEY.secret, signature, topSign]) expect(text).not.toContain(secret);
    }
    const [topEntry, carelessEntry, pandaponEntry] = mock.journal.list();
    expect(pandaponEntry!.request!.headers.signature).toBe("***");
    expect(carelessEntry!.request!.body).toBe('{"refundId":"***"}');
    const form = new URLSearchParams(topEntry!.request!.body || topEntry!.request!.query);
    expect(form.get("sign")).toBe("***");
    expect(form.get("session")).toBe("***");
    expect(topEntry!.tenant).toBe(DEMO_TOP.appKey);
  });

  it("filters by operation, tenant, status, since and limit", async () => {
    mock.journal.clear();
    await pandapon().call(INFO, { refundId: "TQ1" });
    const mark = Date.now();
    await pandapon(OTHER_KEY).call(INFO, { refundId: "TQ2" });
    await top.call(DETAIL, { refund_detail_order_req: { dispute_id: "2400000000000001", buyer_id: "2200000000001" } });
    await fetch(`${mock.url}${INFO}`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    const ask = async (query: string) => ((await (await fetch(`${mock.url}/__mock/journal?${query}`)).json()) as { entries: unknown }).entries as Array<{ operation: string; tenant?: string; status: number; request: { body: string } }>;
    expect((await ask(`operation=${INFO}`)).map((e) => e.status)).toEqual([401, 200, 200]);
    expect((await ask(`tenant=${OTHER_KEY.accessKey}`)).map((e) => e.request.body)).toEqual(['{"refundId":"TQ2"}']);
    expect((await ask(`operation=${DETAIL}`)).map((e) => e.tenant)).toEqual([DEMO_TOP.appKey]);
    expect((await ask("status=401")).map((e) => e.operation)).toEqual([INFO]);
    expect(await ask(`since=${mark}`)).toHaveLength(3);
    expect(await ask(`since=${new Date(mark).toISOString()}`)).toHaveLength(3);
    expect(await ask("limit=2")).toHaveLength(2);
    const bad = await fetch(`${mock.url}/__mock/journal?limit=none`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("limit must be a whole number");
  });

  it("is cleared by DELETE /__mock/journal", async () => {
    await pandapon().call(INFO, { refundId: "TQ1" });
    const res = await fetch(`${mock.url}/__mock/journal`, { method: "DELETE" });
    expect(((await res.json()) as { cleared: number }).cleared).toBeGreaterThan(0);
    expect(((await (await fetch(`${mock.url}/__mock/journal`)).json()) as { entries: unknown[] }).entries).toEqual([]);
  });
});

describe("the journal's bounds under load", () => {
  const collectGarbage = exposeGc();
  const MIB = 1024 * 1024;

  it("holds at most journalSize entries and journalBytes, bodies cut at journalBodyBytes, after 3,000 requests with 20 KB bodies; the heap says so too", async () => {
    const bounds = { journalSize: 500, journalBytes: 512 * 1024, journalBodyBytes: 4 * 1024 };
    const mock = await startMock({ seed: 1, state: "stateless", verifySignatures: false, log: undefined, ...bounds });
    const pool = new Pool(mock.url, { connections: 8 });
    try {
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      const padding = "p".repeat(20_000);
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 3_000) {
            const i = next++;
            const res = await pool.request({ method: "POST", path: INFO, headers: { "content-type": "application/json" }, body: JSON.stringify({ refundId: `TQ${i}`, padding }) });
            await res.body.dump();
          }
        }),
      );
      const sizes = mock.core.readStoreSizes().journal;
      expect(sizes.entries).toBeLessThanOrEqual(bounds.journalSize);
      expect(sizes.bytes).toBeLessThanOrEqual(bounds.journalBytes);
      const entries = mock.journal.list();
      expect(entries).toHaveLength(sizes.entries);
      expect(entries[0]!.request!.body.length).toBe(bounds.journalBodyBytes);
      expect(entries[0]!.request!.bodyCut).toBeGreaterThan(15_000);
      const text = await (await fetch(`${mock.url}/__mock/journal`)).text();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(bounds.journalBytes);
      collectGarbage();
      const grown = process.memoryUsage().heapUsed - before;
      // 3,000 × 20 KB went through; what stays is the journal's half MiB and the answer cache.
      expect(grown).toBeLessThan(16 * MIB);
    } finally {
      await pool.close();
      await mock.close();
    }
  });
});
