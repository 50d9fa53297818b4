import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createProgram } from "../cli/create-program.js";
import { getCore } from "../mock/app.js";
import { VERIFY_MESSAGE_TYPE } from "../mock/push/create-push-service.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { runProgram } from "./helpers/command-runner.js";
import { createTestIo } from "./helpers/create-test-io.js";
import { TAOBAO_ORDER } from "./helpers/flow-requests.js";
import { startPushReceiver } from "./helpers/push-receiver.js";
import { FLOW_NOW, startStatefulMock } from "./helpers/stateful-mock.js";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

type Mock = Awaited<ReturnType<typeof startStatefulMock>>;

async function receiver(behave?: (count: number) => Promise<number | undefined> | number | undefined) {
  const started = await startPushReceiver({ secret: DEMO_PANDAPON.secret, now: () => FLOW_NOW, behave });
  stops.push(started.stop);
  return started;
}

/** A stateful mock whose demo key's configured callback URL is `configured`, on the state file `file` (in memory without one). */
async function start(configured: string[], file?: string, messageTypes: Record<string, string> = {}): Promise<Mock> {
  const mock = await startStatefulMock({ ...(file ? { store: createSqliteStore({ file }) } : {}), mock: { pandapon: { keys: [{ ...DEMO_PANDAPON, callbackUrls: configured }] }, pushes: { pollMs: 20, messageTypes } } });
  stops.push(mock.stop);
  return mock;
}

async function send(mock: Mock, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${mock.url}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

describe("callback URLs changed at run time", () => {
  it("are kept in the state: they win over the configured ones after a restart and a full reset, until DELETE goes back to those", async () => {
    const [configured, changed] = [await receiver(), await receiver()];
    const file = join(mkdtempSync(join(tmpdir(), "callback-urls-")), "state.sqlite");
    const first = await start([configured.url], file);
    expect(await first.admin.callbackUrls.get()).toEqual({ tenants: { [DEMO_PANDAPON.accessKey]: [configured.url] }, setAtRunTime: [] });
    expect(await first.admin.callbackUrls.set(DEMO_PANDAPON.accessKey, [changed.url])).toMatchObject({ urls: [changed.url] });
    await first.stop();
    stops.splice(stops.indexOf(first.stop), 1);

    const second = await start([configured.url], file);
    expect(await second.admin.callbackUrls.get()).toEqual({ tenants: { [DEMO_PANDAPON.accessKey]: [changed.url] }, setAtRunTime: [DEMO_PANDAPON.accessKey] });
    await second.admin.reset();
    expect((await second.admin.callbackUrls.get()).tenants[DEMO_PANDAPON.accessKey]).toEqual([changed.url]);
    expect((await second.pandapon.call("/open/order", TAOBAO_ORDER)).status).toBe(200);
    await getCore(second.app).pushes!.idle();
    expect([configured.received.length, changed.received.length]).toEqual([0, 1]);

    expect(await second.admin.callbackUrls.forget(DEMO_PANDAPON.accessKey)).toMatchObject({ urls: [configured.url] });
    expect((await second.pandapon.call("/open/order", TAOBAO_ORDER)).status).toBe(200);
    await getCore(second.app).pushes!.idle();
    expect([configured.received.length, changed.received.length]).toEqual([1, 1]);
  });

  it("never show a URL's user and password (***@), configured or set, in what GET, PUT and DELETE answer; the pushes still go to the URL as set", async () => {
    const target = await receiver();
    const withUser = (password: string) => target.url.replace("http://", `http://user:${password}@`);
    const shown = target.url.replace("http://", "http://***@");
    const mock = await start([withUser("configured-pw-1")]);
    const texts: string[] = [];
    const answer = async (method: string, path: string, body?: unknown) => {
      const res = await send(mock, method, path, body);
      texts.push(JSON.stringify(res.json));
      return res.json;
    };
    expect((await answer("GET", "/__mock/callback-urls")).tenants).toEqual({ [DEMO_PANDAPON.accessKey]: [shown] });
    expect((await answer("PUT", `/__mock/callback-urls/${DEMO_PANDAPON.accessKey}`, { urls: [withUser("set-pw-2")] })).urls).toEqual([shown]);
    expect((await answer("GET", "/__mock/callback-urls")).tenants).toEqual({ [DEMO_PANDAPON.accessKey]: [shown] });
    expect((await mock.pandapon.call("/open/order", TAOBAO_ORDER)).status).toBe(200);
    await getCore(mock.app).pushes!.idle();
    expect(target.received).toHaveLength(1);
    expect((await answer("DELETE", `/__mock/callback-urls/${DEMO_PANDAPON.accessKey}`)).urls).toEqual([shown]);
    for (const text of texts) expect(text).not.toMatch(/user|configured-pw-1|set-pw-2/);
  });

  it("refuses a key the mock does not have (404) and a URL that is not http(s) (400), changing nothing", async () => {
    const mock = await start([]);
    expect(await send(mock, "PUT", "/__mock/callback-urls/nobody", { urls: ["http://127.0.0.1:1/x"] })).toMatchObject({ status: 404 });
    expect(await send(mock, "DELETE", "/__mock/callback-urls/nobody")).toMatchObject({ status: 404 });
    expect(await send(mock, "PUT", `/__mock/callback-urls/${DEMO_PANDAPON.accessKey}`, { urls: ["ftp://x"] })).toMatchObject({ status: 400 });
    expect(await send(mock, "PUT", `/__mock/callback-urls/${DEMO_PANDAPON.accessKey}`, { urls: "http://x" })).toMatchObject({ status: 400 });
    expect(await mock.admin.callbackUrls.get()).toEqual({ tenants: {}, setAtRunTime: [] });
  });
});

describe('the "Verify" probe', () => {
  it("POSTs one signed probe to each callback URL now, and says per URL whether it answered 200 within 1000 ms; nothing goes to the outbox", async () => {
    const good = await receiver();
    const failing = await receiver(() => 500);
    const slow = await receiver(async () => (await new Promise((r) => setTimeout(r, 1300)), 200));
    const mock = await start([good.url, failing.url, slow.url]);
    const probe = await mock.admin.callbackUrls.verify();
    expect(probe.tenant).toBe(DEMO_PANDAPON.accessKey);
    expect(probe.messageType).toBe(VERIFY_MESSAGE_TYPE);
    expect(probe.results.map((r) => [r.url, r.ok, r.status])).toEqual([
      [good.url, true, 200],
      [failing.url, false, 500],
      [slow.url, false, undefined],
    ]);
    expect(probe.results[2]!.error).toMatch(/within 1000 ms/);
    expect(probe.results[2]!.latencyMs).toBeGreaterThanOrEqual(1000);
    // The project's receiver (signature checked) accepted it: a message of the probe's type with an empty body.
    expect(good.rejected).toEqual([]);
    expect(good.received.map((r) => [r.message.messageType, r.message.messageBody])).toEqual([[VERIFY_MESSAGE_TYPE, {}]]);
    expect([failing.hits(), slow.hits()]).toEqual([1, 1]);
    expect((await mock.state.store.stats()).pushes).toBe(0);
    // A URL given instead of the tenant's.
    expect((await mock.admin.callbackUrls.verify({ url: good.url })).results).toMatchObject([{ url: good.url, ok: true }]);
    expect(good.received).toHaveLength(2);
  });

  it("takes the name given to its assumed messageType in pushes.messageTypes", async () => {
    const good = await receiver();
    const mock = await start([good.url], undefined, { [VERIFY_MESSAGE_TYPE]: "MY_VERIFY" });
    expect(await mock.admin.callbackUrls.verify()).toMatchObject({ messageType: "MY_VERIFY", results: [{ ok: true }] });
    expect(good.received.map((r) => r.message.messageType)).toEqual(["MY_VERIFY"]);
  });

  it("refuses what it cannot probe: an unknown key (404), a tenant without URLs (409), a bad url (400)", async () => {
    const mock = await start([]);
    expect(await send(mock, "POST", "/__mock/callback-urls/verify", { tenant: "nobody" })).toMatchObject({ status: 404 });
    expect(await send(mock, "POST", "/__mock/callback-urls/verify", {})).toMatchObject({ status: 409, json: { error: expect.stringContaining("has no callback URL") } });
    expect(await send(mock, "POST", "/__mock/callback-urls/verify", { url: "ftp://x" })).toMatchObject({ status: 400 });
  });

  it("pandapon-mock verify-callbacks: one line per URL, exit 0 when all acknowledged, 1 when one did not", async () => {
    const good = await receiver();
    const mock = await start([good.url]);
    const test = createTestIo({ env: { PANDAPON_MOCK_URL: mock.url } });
    const run = (...args: string[]) => runProgram(createProgram(test.io), test, args);
    const ok = await run("verify-callbacks");
    expect(ok.exitCode, ok.err).toBe(0);
    expect(ok.out).toMatch(new RegExp(`^${VERIFY_MESSAGE_TYPE} probe of ${DEMO_PANDAPON.accessKey}'s callback URLs:\\nok      ${good.url.replace(/[.]/g, "\\.")}  HTTP 200 in \\d+ ms\\n$`));
    const refused = await run("verify-callbacks", "--url", "http://127.0.0.1:1/callback", "--json");
    expect(refused.exitCode).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({ results: [{ ok: false, error: "connection refused" }] });
  });
});
