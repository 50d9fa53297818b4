import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { readEnvSettings, readFileSettings, toServeConfig } from "../config/load-config.js";
import { createApp, getCore } from "../mock/app.js";
import { DEFAULT_SCHEME } from "../signing/pandapon-scheme.js";

function setupFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "serve-config-")), "mock.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe("serve configuration", () => {
  it("defaults to 127.0.0.1:4010 with the demo credentials", () => {
    const config = toServeConfig({}, readEnvSettings({}), {});
    expect(config).toMatchObject({ host: "127.0.0.1", port: 4010 });
    const core = getCore(createApp(config.mock));
    expect(core.options.pandapon.keys.map((k) => k.accessKey)).toEqual(["58c0201dfdf148eca63cbf6bb5e7cf03"]);
    expect(core.options.top.apps.map((a) => a.appKey)).toEqual(["12345678"]);
    expect(core.options.verifySignatures).toBe(true);
  });

  it("lets flags win over the environment, and the environment over the config file", () => {
    const file = readFileSettings(setupFile({ port: 5000, host: "127.0.0.2", seed: "file", windowSeconds: 30 }));
    const env = readEnvSettings({ PORT: "6000", PANDAPON_MOCK_SEED: "env" });
    const flags = { seed: "flag" };
    const config = toServeConfig(file, env, flags);
    expect(config).toMatchObject({ port: 6000, host: "127.0.0.2", mock: { seed: "flag", pandapon: { windowMs: 30_000 }, top: { windowMs: 30_000 } } });
  });

  it("takes several key/secret pairs and TOP apps from the environment", () => {
    const env = readEnvSettings({
      PANDAPON_MOCK_KEYS: JSON.stringify([{ accessKey: "a1", secret: "s1", developId: "1" }, { accessKey: "a2", secret: "s2" }]),
      PANDAPON_MOCK_TOP_APPS: JSON.stringify([{ appKey: "k", secret: "t" }]),
      PANDAPON_MOCK_VERIFY_SIGNATURES: "false",
    });
    const core = getCore(createApp(toServeConfig(env).mock));
    expect(core.options.pandapon.keys.map((k) => k.accessKey)).toEqual(["a1", "a2"]);
    expect(core.options.top.apps).toEqual([{ appKey: "k", secret: "t" }]);
    expect(core.options.verifySignatures).toBe(false);
  });

  it("reads a signature scheme from the config file and uses it", async () => {
    const scheme = { ...DEFAULT_SCHEME, algorithm: "sha256", case: "lower" };
    const config = toServeConfig(readFileSettings(setupFile({ scheme })));
    const app = createApp(config.mock);
    expect(getCore(app).options.pandapon.scheme).toMatchObject({ algorithm: "sha256", case: "lower" });
    const res = await request(app).post("/alibaba/refund/info").set({ "access-key": "58c0201dfdf148eca63cbf6bb5e7cf03", timestamp: String(Date.now()), "user-id": "1", signature: "x" }).send({ refundId: "TQ1" });
    expect(res.body.msg).toContain("key=******");
  });

  it("accepts the scheme exactly as identify-signature prints it", () => {
    const printed = { signatureScheme: { ...DEFAULT_SCHEME, algorithm: "hmac-sha256", secretPlacement: "none" } };
    const app = createApp(toServeConfig(readFileSettings(setupFile(printed))).mock);
    expect(getCore(app).options.pandapon.scheme).toMatchObject({ algorithm: "hmac-sha256", secretPlacement: "none" });
  });

  it("takes error-table overrides from the config file and uses them", async () => {
    const config = toServeConfig(readFileSettings(setupFile({ errors: { BAD_SIGNATURE: { status: 200, code: 1001 } } })));
    const res = await request(createApp(config.mock))
      .post("/alibaba/refund/info")
      .set({ "access-key": "58c0201dfdf148eca63cbf6bb5e7cf03", timestamp: String(Date.now()), "user-id": "1", signature: "x" })
      .send({ refundId: "TQ1" });
    expect([res.status, res.body.code]).toEqual([200, 1001]);
    expect(() => toServeConfig({ errors: { NOT_A_FAILURE: { code: 1 } } as never })).toThrow("NOT_A_FAILURE not in the error table");
  });

  it("takes the journal and answer-cache byte bounds and the drain deadline from the config file or the environment", () => {
    const file = readFileSettings(setupFile({ journalBytes: 1000, answerCacheBytes: 2000, drainSeconds: 2 }));
    const env = readEnvSettings({ PANDAPON_MOCK_ANSWER_CACHE_BYTES: "3000", PANDAPON_MOCK_DRAIN_SECONDS: "0.5" });
    const config = toServeConfig(file, env);
    expect(config.drainMs).toBe(500);
    const core = getCore(createApp(config.mock));
    expect([core.options.journalBytes, core.options.answerCacheBytes]).toEqual([1000, 3000]);
    const defaults = getCore(createApp(toServeConfig().mock)).options;
    expect([defaults.journalBytes, defaults.answerCacheBytes]).toEqual([4 * 1024 * 1024, 32 * 1024 * 1024]);
    expect(toServeConfig().drainMs).toBeUndefined();
  });

  it("takes rules from the config file: in force from the start, a bad one refused with why", async () => {
    const rules = [{ name: "info-down-once", match: { operation: "/alibaba/refund/info", times: 1 }, answer: { error: { code: 50001, msg: "系统繁忙" } } }];
    const config = toServeConfig(readFileSettings(setupFile({ rules, verifySignatures: false })));
    const app = createApp(config.mock);
    const first = await request(app).post("/alibaba/refund/info").send({ refundId: "TQ1" });
    expect([first.status, first.body.code, first.body.msg]).toEqual([200, 50001, "系统繁忙"]);
    expect((await request(app).post("/alibaba/refund/info").send({ refundId: "TQ1" })).body.code).toBe(200);
    expect(() => toServeConfig({ rules: { name: "x" } as never })).toThrow("Invalid rules: use a list");
    expect(() => createApp(toServeConfig({ rules: [{ answer: { http: 418 } }] }).mock)).toThrow("answer.http must be 502, 503 or 504");
  });

  it("takes replay and replayStrict from the config file or the environment, flags winning", () => {
    const file = readFileSettings(setupFile({ replay: "recordings", replayStrict: true }));
    expect(toServeConfig(file).replay).toEqual({ dir: "recordings", strict: true });
    expect(toServeConfig(file, readEnvSettings({ PANDAPON_MOCK_REPLAY: "from-env", PANDAPON_MOCK_REPLAY_STRICT: "false" })).replay).toEqual({ dir: "from-env", strict: false });
    expect(toServeConfig(file, {}, { replay: "from-flag" }).replay).toEqual({ dir: "from-flag", strict: true });
    expect(toServeConfig({}).replay).toBeUndefined();
    expect(() => toServeConfig({ replayStrict: true })).toThrow("replayStrict) needs --replay <dir> (replay)");
    expect(() => toServeConfig({ replay: 3 as never })).toThrow("Invalid replay");
    expect(() => toServeConfig({ replay: "r", replayStrict: "yes" as never })).toThrow("Invalid replayStrict");
    expect(() => readEnvSettings({ PANDAPON_MOCK_REPLAY_STRICT: "maybe" })).toThrow("PANDAPON_MOCK_REPLAY_STRICT");
  });

  it("takes the state store's bounds from the config file, the environment and flags, flags winning; the others keep their defaults", () => {
    const file = readFileSettings(setupFile({ maxPushes: 500, maxPushHistory: 50, maxStateBytes: 1_000_000 }));
    const env = readEnvSettings({ PANDAPON_MOCK_MAX_PUSH_HISTORY: "40", PANDAPON_MOCK_MAX_PUSH_HISTORY_BYTES: "0", PANDAPON_MOCK_MAX_ENTITIES: "9", PANDAPON_MOCK_MAX_STATE_KEYS: "30" });
    const config = toServeConfig(file, env, { maxEntities: 7 });
    expect(config.storeLimits).toEqual({ maxEntities: 7, maxPushes: 500, maxPushHistory: 40, maxPushHistoryBytes: 0, maxKeys: 30, maxBytes: 1_000_000 });
    expect(toServeConfig({}, readEnvSettings({})).storeLimits).toEqual({});
  });

  it("refuses a store bound that is not a whole number, or below its least value, naming the setting, its flag and its variable", () => {
    expect(() => toServeConfig({ maxPushes: 0 })).toThrow("Invalid maxPushes: 0 is not a whole number ≥ 1 (flag --max-pushes, environment PANDAPON_MOCK_MAX_PUSHES).");
    expect(() => toServeConfig({ maxPushHistory: -1 })).toThrow("Invalid maxPushHistory: -1 is not a whole number ≥ 0");
    expect(() => toServeConfig(readFileSettings(setupFile({ maxPushHistoryBytes: "64MiB" })))).toThrow('Invalid maxPushHistoryBytes: "64MiB" is not a whole number ≥ 0 (flag --max-push-history-bytes, environment PANDAPON_MOCK_MAX_PUSH_HISTORY_BYTES).');
    expect(() => toServeConfig({ maxEntities: 2.5 })).toThrow("Invalid maxEntities: 2.5");
    expect(() => toServeConfig({ maxStateBytes: 2 ** 60 })).toThrow("Invalid maxStateBytes");
    expect(() => readEnvSettings({ PANDAPON_MOCK_MAX_STATE_BYTES: "1 GiB" })).toThrow('Invalid PANDAPON_MOCK_MAX_STATE_BYTES="1 GiB"');
  });

  it("rejects bad values with a message that names them", () => {
    expect(() => toServeConfig({ journalBytes: "lots" as never })).toThrow('Invalid journalBytes: "lots"');
    expect(() => readEnvSettings({ PANDAPON_MOCK_DRAIN_SECONDS: "-1" })).toThrow("PANDAPON_MOCK_DRAIN_SECONDS");
    expect(() => readEnvSettings({ PORT: "eighty" })).toThrow('Invalid PORT="eighty"');
    expect(() => readEnvSettings({ PANDAPON_MOCK_VERIFY_SIGNATURES: "maybe" })).toThrow("use true or false");
    expect(() => readEnvSettings({ PANDAPON_MOCK_KEYS: "[{oops" })).toThrow("Failed to read PANDAPON_MOCK_KEYS");
    expect(() => toServeConfig({ keys: [{ accessKey: "a" }] as never })).toThrow("Invalid keys");
    expect(() => readFileSettings("/nonexistent/mock.json")).toThrow("does not exist");
    expect(() => createApp(toServeConfig({ scheme: { algorithm: "crc32" } as never }).mock)).toThrow("Invalid signature scheme");
  });
});
