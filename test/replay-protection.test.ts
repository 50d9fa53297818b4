import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { readEnvSettings, readFileSettings, toServeConfig } from "../config/load-config.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { createApp, getCore } from "../mock/app.js";
import { handlePandapon } from "../mock/pandapon/handle-pandapon.js";
import { exposeGc } from "./helpers/expose-gc.js";
import { NOW, answeredNow, setupMock } from "./helpers/mock-setup.js";

const INFO = "/alibaba/refund/info";
const BODY = '{"refundId":"TQ1"}';
const WINDOW = 600_000;

/** A mock on a clock the test moves; requests signed at the clock's time unless told otherwise. */
function setup(options: Parameters<typeof setupMock>[0] = {}) {
  let now = NOW;
  const mock = setupMock({ now: () => now, ...options });
  const signed = (overrides: Record<string, string | undefined> = {}, secret?: string) => mock.pandaponHeaders({ timestamp: String(now), ...overrides }, secret);
  const send = async (headers: Record<string, string>) => {
    const res = await request(mock.app).post(INFO).set(headers).set("content-type", "application/json").send(BODY);
    return { status: res.status, code: res.body.code as number, msg: res.body.msg as string };
  };
  const moveTo = (at: number) => {
    now = at;
  };
  return { ...mock, core: getCore(mock.app), signed, send, moveTo };
}

describe("replay protection over the whole window", () => {
  it("refuses a replay for as long as its timestamp could pass, then the timestamp check refuses it", async () => {
    const { signed, send, moveTo } = setup();
    // The worst case: a timestamp a whole window ahead of the server clock stays valid until NOW + 2 windows.
    const captured = signed({ timestamp: String(NOW + WINDOW) });
    expect((await send(captured)).code).toBe(200);
    moveTo(NOW + 2 * WINDOW);
    expect(await send(captured)).toMatchObject({ status: 401, code: 40103 });
    moveTo(NOW + 2 * WINDOW + 1);
    expect(await send(captured)).toMatchObject({ status: 401, code: 40102 });
  });

  it("refuses the same nonce freshly signed while it is remembered, and accepts it once no replay of the first request can pass", async () => {
    const { signed, send, moveTo } = setup();
    const nonce = "0123456789abcdef0123456789abcdef";
    expect((await send(signed({ "nonce-str": nonce }))).code).toBe(200);
    moveTo(NOW + WINDOW + 1);
    expect((await send(signed({ "nonce-str": nonce }))).code).toBe(40103);
    moveTo(NOW + 2 * WINDOW + 1);
    expect((await send(signed({ "nonce-str": nonce }))).code).toBe(200);
  });

  it("keeps one tenant's nonce from blocking another's", async () => {
    const other = { accessKey: "a2b0201dfdf148eca63cbf6bb5e7cf99", secret: "other-secret", developId: "1014533973088404336" };
    const { signed, send } = setup({ pandapon: { keys: [{ ...DEMO_PANDAPON, developId: "1014533973088404335" }, other] } });
    const nonce = "fedcba9876543210fedcba9876543210";
    expect((await send(signed({ "nonce-str": nonce }))).code).toBe(200);
    expect((await send(signed({ "nonce-str": nonce, "access-key": other.accessKey }, other.secret))).code).toBe(200);
    expect((await send(signed({ "nonce-str": nonce }))).code).toBe(40103);
  });
});

describe("a full replay memory", () => {
  // 128 bytes: a table of 8 slots (64 bytes) and a ring of 4 nonces (64 bytes).
  const SMALL = { nonceMemoryBytes: 128 };

  it("refuses new requests with 429 and code 42901 rather than forget a live nonce, and recovers when the oldest expire", async () => {
    const { signed, send, moveTo, core } = setup(SMALL);
    const first = signed();
    expect((await send(first)).code).toBe(200);
    moveTo(NOW + 1_000);
    for (let i = 0; i < 3; i += 1) expect((await send(signed())).code).toBe(200);
    const refused = await send(signed());
    expect(refused).toMatchObject({ status: 429, code: 42901 });
    expect(refused.msg).toContain("4 nonces");
    expect(refused.msg).toContain("nonceMemoryBytes");
    expect(refused.msg).toMatch(/in 1200 s/);
    // What is remembered stays refused; a request without a nonce needs no memory.
    expect((await send(first)).code).toBe(40103);
    expect((await send(signed({ "nonce-str": undefined }))).code).toBe(200);
    expect(core.nonces.size).toBe(4);
    // The first nonce is forgotten 2 windows after it came: room for one more, not two.
    moveTo(NOW + 2 * WINDOW + 1);
    expect((await send(signed())).code).toBe(200);
    expect((await send(signed())).code).toBe(42901);
    moveTo(NOW + 1_000 + 2 * WINDOW + 1);
    for (let i = 0; i < 3; i += 1) expect((await send(signed())).code).toBe(200);
  });

  it("lets the memory-full error be overridden like the others", async () => {
    const { signed, send } = setup({ ...SMALL, pandapon: { errors: { REPLAY_MEMORY_FULL: { status: 503, code: 5031 } } } });
    for (let i = 0; i < 4; i += 1) await send(signed());
    expect(await send(signed())).toMatchObject({ status: 503, code: 5031 });
  });
});

describe("the replay memory's size", () => {
  it("stays within nonceMemoryBytes, typed arrays included, while 120,000 requests are remembered", () => {
    const gc = exposeGc();
    const bound = 4 * 1024 * 1024;
    // Other array buffers come and go meanwhile (Node's Buffer pool takes 8 KiB slabs, freed lazily).
    const slack = 256 * 1024;
    setup(); // the catalog and validators, loaded once for every app
    gc();
    const start = process.memoryUsage();
    const { core, signed } = setup({ nonceMemoryBytes: bound, validateResponses: false });
    const created = process.memoryUsage();
    expect(core.nonces.byteLength).toBeLessThanOrEqual(bound);
    expect(created.arrayBuffers - start.arrayBuffers).toBeLessThanOrEqual(bound + slack);
    expect(core.nonces.capacity).toBe(131_072);
    let accepted = 0;
    for (let i = 0; i < 120_000; i += 1) {
      const answer = answeredNow(handlePandapon(core, { method: "POST", path: INFO, query: "", headers: { ...signed(), "content-type": "application/json" }, rawBody: Buffer.from(BODY) }));
      if (answer.status === 200) accepted += 1;
    }
    gc();
    const filled = process.memoryUsage();
    expect([accepted, core.nonces.size]).toEqual([120_000, 120_000]);
    // Only fixed-size hashes are kept, in the arrays made at the start: 120,000 nonce texts with
    // their keys would be ~15 MB, in the heap or outside it.
    expect(filled.arrayBuffers - created.arrayBuffers).toBeLessThan(slack);
    expect(filled.heapUsed - created.heapUsed).toBeLessThan(3 * 1024 * 1024);
  });

  it("says how many nonces the default 32 MiB holds", () => {
    const { core } = setup();
    expect([core.nonces.byteLength, core.nonces.capacity]).toEqual([32 * 1024 * 1024, 1_048_576]);
  });
});

describe("the nonceMemoryBytes setting", () => {
  it("comes from the config file, the environment and the flags, flags winning", () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-")), "mock.json");
    writeFileSync(file, JSON.stringify({ nonceMemoryBytes: 1024 }));
    const fromFile = toServeConfig(readFileSettings(file));
    const fromEnv = toServeConfig(readFileSettings(file), readEnvSettings({ PANDAPON_MOCK_NONCE_MEMORY_BYTES: "2048" }));
    const fromFlag = toServeConfig(readFileSettings(file), readEnvSettings({ PANDAPON_MOCK_NONCE_MEMORY_BYTES: "2048" }), { nonceMemoryBytes: 4096 });
    expect([fromFile, fromEnv, fromFlag].map((config) => getCore(createApp(config.mock)).nonces.capacity)).toEqual([32, 64, 128]);
  });

  it("stops `serve` with exit code 2 and what to use when it holds no nonce", async () => {
    // The file `npm start` runs (built by `npm run build`, which `npm test` runs first).
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, "dist/cli/pandapon-mock.js"), "serve", "--port", "0", "--nonce-memory-bytes", "16"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(err).toMatch(/^pandapon-mock serve: Invalid nonceMemoryBytes=16: use a number of bytes from 32 \(one nonce\)/);
  });
});
