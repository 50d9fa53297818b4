import request from "supertest";
import { describe, expect, it } from "vitest";
import { AdminClientError, createAdminClient } from "../client/create-admin-client.js";
import { createApp } from "../mock/app.js";
import { createState } from "../mock/state/create-state.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { startServer } from "../mock/start-server.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { NOW, SEED, setupLifecycles, toTestId } from "./lifecycle-helpers.js";

const REFUND = "alibaba-refund";
const { lifecycles, catalog } = setupLifecycles();
const refundLifecycle = lifecycles.get(REFUND)!;
const TOKEN = "admin-token-7c1e9a3b5d";

/** A stateful mock on 127.0.0.1 (frozen clock at NOW) and an admin client of it; `stop` ends both. */
async function setup(admin?: { token: string }) {
  const store = createSqliteStore({ file: ":memory:" });
  const state = await createState({ store, seed: SEED, catalog, lifecycles, realNow: () => NOW, clock: { mode: "frozen", at: NOW } });
  const app = createApp({ now: () => NOW, state, ...(admin ? { admin } : {}) });
  const running = await startServer(app, 0, "127.0.0.1");
  const client = createAdminClient({ baseUrl: running.url, token: admin?.token });
  return { app, store, state, url: running.url, client, stop: async () => (await running.close(), await state.close()) };
}

async function findBornRefund(client: ReturnType<typeof createAdminClient>, wanted: string): Promise<string> {
  for (let n = 0; n < 300; n++) {
    const id = toTestId(refundLifecycle, n);
    if ((await client.entities.get(REFUND, id)).state === wanted) return id;
  }
  throw new Error(`no born refund in ${wanted}`);
}

async function expectAdminError(promise: Promise<unknown>, status: number, words: RegExp): Promise<AdminClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminClientError);
  expect((error as AdminClientError).status).toBe(status);
  expect((error as AdminClientError).message).toMatch(words);
  return error as AdminClientError;
}

describe("the admin API over entities, through the admin client", () => {
  it("lists the entity types with their states and actions", async () => {
    const { client, stop } = await setup();
    const types = await client.entities.types();
    const refund = types.find((t) => t.type === REFUND)!;
    expect(types.map((t) => t.type)).toEqual([...lifecycles.keys()]);
    expect(refund.actions.map((a) => a.name)).toEqual(expect.arrayContaining(["seller-agree", "seller-reject", "seller-receive", "close"]));
    expect(refund.states.map((s) => s.name)).toContain("waitsellerreceive");
    await stop();
  });

  it("shows a born entity, acts on it (stored, 200), and refuses an action its state does not allow (409 with the allowed actions)", async () => {
    const { client, store, stop } = await setup();
    const id = await findBornRefund(client, "waitselleragree");
    expect((await store.stats()).entities).toBe(0);
    const refused = await expectAdminError(client.entities.act(REFUND, id, "seller-receive"), 409, /not allowed in the state "waitselleragree"/);
    expect(refused.body.allowedActions).toEqual(expect.arrayContaining(["seller-agree", "seller-reject", "close"]));
    const agreed = await client.entities.act(REFUND, id, "seller-agree");
    expect(agreed).toMatchObject({ id, tenant: DEMO_PANDAPON.accessKey, stored: true, version: 1 });
    expect(agreed.allowedActions.length).toBeGreaterThan(0);
    expect(await client.entities.get(REFUND, id)).toEqual(agreed);
    expect((await client.entities.list({ type: REFUND })).entities.map((e) => e.id)).toEqual([id]);
    expect((await client.entities.list({ tenant: "someone-else" })).entities).toEqual([]);
    await stop();
  });

  it("advances the clock and the timers fire as it passes", async () => {
    const { client, stop } = await setup();
    const id = await findBornRefund(client, "waitselleragree");
    expect((await client.entities.act(REFUND, id, "seller-reject")).state).toBe("waitbuyermodify");
    expect(await client.clock.get()).toMatchObject({ epochMs: NOW, setting: { mode: "frozen", at: NOW } });
    expect((await client.clock.advance(7 * 86400)).epochMs).toBe(NOW + 7 * 86400_000);
    expect(await client.entities.get(REFUND, id)).toMatchObject({ state: "refundclose", version: 2 });
    await stop();
  });

  it("creates entities and resets one tenant or everything", async () => {
    const { client, stop } = await setup();
    const mine = await client.entities.create("alibaba-cart");
    await client.entities.create("alibaba-cart", { tenant: "other" });
    await client.reset({ tenant: "other" });
    expect((await client.entities.list()).entities.map((e) => e.id)).toEqual([mine.id]);
    await client.reset();
    expect((await client.entities.list()).entities).toEqual([]);
    expect((await client.clock.get()).epochMs).toBe(NOW);
    await stop();
  });

  it("refuses a reset naming a null tenant and keeps every entity", async () => {
    const { client, url, stop } = await setup();
    const mine = await client.entities.create("alibaba-cart");
    const res = await fetch(`${url}/__mock/reset`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"tenant":null}' });
    expect(res.status).toBe(400);
    expect((await client.entities.list()).entities.map((e) => e.id)).toEqual([mine.id]);
    await stop();
  });

  it("needs the admin token when the mock has one", async () => {
    const { url, stop } = await setup({ token: TOKEN });
    await expectAdminError(createAdminClient({ baseUrl: url }).clock.get(), 401, /token/i);
    expect((await createAdminClient({ baseUrl: url, token: TOKEN }).clock.get()).epochMs).toBe(NOW);
    await stop();
  });
});

describe("the admin API refuses bad input with {error}", () => {
  const cases: Array<{ method: "get" | "post" | "put" | "delete"; path: string; body?: string; status: number; words: RegExp }> = [
    { method: "get", path: "/__mock/entities/refund/1", status: 404, words: /no entity type "refund".*alibaba-refund/ },
    { method: "get", path: "/__mock/entities?type=refund", status: 404, words: /no entity type "refund"/ },
    { method: "get", path: "/__mock/entities/address/0012", status: 400, words: /cannot be the id of an address/ },
    { method: "get", path: "/__mock/entities?limit=0", status: 400, words: /limit must be/ },
    { method: "get", path: "/__mock/entities?tenant=", status: 400, words: /tenant must be a non-empty text.*default: the first configured access-key/ },
    { method: "post", path: "/__mock/entities/alibaba-refund/TQ1/actions/fly", body: "{}", status: 409, words: /"fly" is not an action of alibaba-refund/ },
    { method: "post", path: "/__mock/entities/alibaba-refund/TQ1/actions/close", body: "{oops", status: 400, words: /not JSON/ },
    { method: "post", path: "/__mock/clock", body: '{"advanceSeconds":-5}', status: 400, words: /advanceSeconds must be a number of seconds ≥ 0/ },
    { method: "post", path: "/__mock/clock", body: "{}", status: 400, words: /one of advanceSeconds, set or freeze/ },
    { method: "post", path: "/__mock/reset", body: '{"tenant":5}', status: 400, words: /tenant must be a non-empty text/ },
    // A null tenant is no tenant named by accident: refused, not a reset of everything.
    { method: "post", path: "/__mock/reset", body: '{"tenant":null}', status: 400, words: /tenant must be a non-empty text .*leave it out to reset everything/ },
    // The clock's range: a move beyond it, a number beyond doubles (read as a bigint), a time no Date shows (they were 500s, and a clock set past 275760 could no longer be read).
    { method: "post", path: "/__mock/clock", body: '{"advanceSeconds":1e300}', status: 400, words: /^Failed to move the clock to .*: it stays from 2000-01-01T00:00:00.000Z to 2999-12-31T23:59:59.999Z; the clock did not move.$/ },
    { method: "post", path: "/__mock/clock", body: '{"advanceSeconds":123456789012345678901234567890}', status: 400, words: /it stays from 2000-01-01/ },
    { method: "post", path: "/__mock/clock", body: '{"set":8640000000000001}', status: 400, words: /Failed to move the clock to 8640000000000001 epoch ms: it stays from/ },
    { method: "post", path: "/__mock/clock", body: '{"set":12345678901234567890123}', status: 400, words: /it stays from/ },
    { method: "post", path: "/__mock/clock", body: '{"set":"1999-12-31T23:59:59.999Z"}', status: 400, words: /Failed to move the clock to 1999-12-31T23:59:59.999Z: it stays from/ },
    { method: "post", path: "/__mock/clock", body: '{"set":-1}', status: 400, words: /it stays from/ },
    { method: "post", path: "/__mock/clock", body: '{"set":{"toString":1}}', status: 400, words: /set must be an ISO time or epoch milliseconds, not \{"toString":1\}/ },
    // An id that is no text or integer (String() of one threw: a 500).
    { method: "post", path: "/__mock/pushes", body: '{"type":"alibaba-refund","id":{"toString":1}}', status: 400, words: /^id must be the entity's id: a non-empty text or an integer.$/ },
    { method: "post", path: "/__mock/pushes", body: '{"type":"alibaba-refund","id":[{"toString":1}]}', status: 400, words: /^id must be the entity's id/ },
    { method: "post", path: "/__mock/pushes", body: '{"type":"alibaba-refund","id":0.5}', status: 400, words: /^id must be the entity's id/ },
    // A malformed percent-escape in a path parameter: express's router refuses it before the route (its answer was an HTML page with a stack).
    { method: "get", path: "/__mock/entities/alibaba-refund/%ZZ", status: 400, words: /GET \/__mock\/entities\/alibaba-refund\/%ZZ: a segment holds a malformed percent-escape/ },
    { method: "post", path: "/__mock/entities/%E0%A4%A/1/actions/close", body: "{}", status: 400, words: /malformed percent-escape/ },
    { method: "post", path: "/__mock/pushes/%ED%A0%80/resend", status: 400, words: /malformed percent-escape/ },
    { method: "delete", path: "/__mock/rules/%", status: 400, words: /malformed percent-escape/ },
    { method: "put", path: "/__mock/callback-urls/%C0%AF", body: '{"urls":[]}', status: 400, words: /malformed percent-escape/ },
    // The rules' body is read as every admin body is.
    { method: "post", path: "/__mock/rules", status: 400, words: /takes a rule or an array of rules, not an empty body/ },
    { method: "post", path: "/__mock/rules", body: "{oops", status: 400, words: /Failed to read the body of POST \/__mock\/rules: it is not JSON/ },
  ];
  it.each(cases)("$method $path $body → $status", async ({ method, path, body, status, words }) => {
    const { app, stop } = await setup();
    const res = await (body === undefined ? request(app)[method](path) : request(app)[method](path).set("content-type", "application/json").send(body));
    expect(res.status, res.text).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body.error).toMatch(words);
    await stop();
  });

  it("leaves the clock where it was, readable, after a move it refuses; takes a number of seconds a double rounds", async () => {
    const { app, client, stop } = await setup();
    for (const body of ['{"set":8640000000000001}', '{"advanceSeconds":1e300}', '{"set":"+275760-09-13T00:00:00.000Z"}']) {
      expect((await request(app).post("/__mock/clock").set("content-type", "application/json").send(body)).status, body).toBe(400);
      expect(await client.clock.get()).toMatchObject({ now: new Date(NOW).toISOString(), epochMs: NOW });
    }
    // Read exactly, 0.99999999999999999 is an InexactNumber; its double is 1.
    const rounded = await request(app).post("/__mock/clock").set("content-type", "application/json").send('{"advanceSeconds":0.99999999999999999}');
    expect([rounded.status, rounded.body.epochMs]).toEqual([200, NOW + 1000]);
    await stop();
  });

  it("repeats at most 200 characters of a name it does not know (type, action, tenant, messageType), saying how many it left out", async () => {
    const { app, stop } = await setup();
    const long = "x".repeat(10_000);
    const post = (path: string, body: unknown) => request(app).post(path).set("content-type", "application/json").send(JSON.stringify(body));
    const answers = [
      await request(app).get(`/__mock/entities?type=${long}`),
      await post(`/__mock/entities/${long}`, {}),
      await post("/__mock/entities/alibaba-cart", { action: long }),
      await post(`/__mock/entities/${REFUND}/TQ1/actions/${long}`, {}),
      await post("/__mock/callback-urls/verify", { tenant: long }),
      await post("/__mock/pushes", { type: REFUND, id: "TQ8651493722961198", tenant: long }),
      await post("/__mock/pushes", { type: REFUND, id: "TQ8651493722961198", messageType: long }),
    ];
    for (const res of answers) {
      expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(res.body.error).toContain("…(9800 more characters)");
      expect(res.body.error.length, res.body.error).toBeLessThan(1_000);
    }
    await stop();
  });

  it("refuses a body that is a number a double loses (read exactly, as an object) like any body that is no JSON object: a reset resets nothing", async () => {
    const { app, client, stop } = await setup();
    const cart = await client.entities.create("alibaba-cart");
    for (const body of ["-0.999999e-420", "0.99999999999999999", "123456789012345678901234567890"]) {
      const res = await request(app).post("/__mock/reset").set("content-type", "application/json").send(body);
      expect([res.status, res.body.error], body).toEqual([400, "The body of POST /__mock/reset must be a JSON object."]);
    }
    expect((await client.entities.list()).entities.map((e) => e.id)).toEqual([cart.id]);
    await stop();
  });

  it("answers 404 saying the mock runs stateless when it has no state", async () => {
    const app = createApp({ now: () => NOW });
    for (const [method, path] of [["get", "/__mock/entities/types"], ["get", "/__mock/clock"], ["post", "/__mock/reset"], ["post", "/__mock/entities/alibaba-refund/TQ1/actions/close"]] as const) {
      const res = await request(app)[method](path);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatch(/runs stateless/);
    }
    expect((await request(app).get("/__mock/health")).body.state).toBe("stateless");
  });
});
