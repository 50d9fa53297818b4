import { describe, expect, it } from "vitest";
import { createProgram } from "../cli/create-program.js";
import { createApp } from "../mock/app.js";
import { createState } from "../mock/state/create-state.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { startServer } from "../mock/start-server.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { runProgram } from "./helpers/command-runner.js";
import { createTestIo } from "./helpers/create-test-io.js";
import { NOW, SEED, setupLifecycles } from "./lifecycle-helpers.js";

const { lifecycles, catalog } = setupLifecycles();
const TOKEN = "cli-admin-token-51d0";

/** A stateful mock on 127.0.0.1 (with an admin token, frozen clock) and the CLI pointed at it through PANDAPON_MOCK_URL. */
async function setup() {
  const state = await createState({ store: createSqliteStore({ file: ":memory:" }), seed: SEED, catalog, lifecycles, realNow: () => NOW, clock: { mode: "frozen", at: NOW } });
  const running = await startServer(createApp({ now: () => NOW, state, admin: { token: TOKEN } }), 0, "127.0.0.1");
  const test = createTestIo({ env: { PANDAPON_MOCK_URL: running.url, PANDAPON_MOCK_ADMIN_TOKEN: TOKEN } });
  const run = (...args: string[]) => runProgram(createProgram(test.io), test, args);
  return { run, url: running.url, stop: async () => (await running.close(), await state.close()) };
}

describe("the state commands against a running mock", () => {
  it("shows, acts on, lists and resets entities, and moves the clock", async () => {
    const { run, stop } = await setup();
    const id = "TQ86514937229611980";
    const shown = await run("entity", "alibaba-refund", id);
    expect(shown.exitCode, shown.err).toBe(0);
    const born = JSON.parse(shown.out) as { state: string; stored: boolean; allowedActions: string[] };
    expect(born.stored).toBe(false);
    const action = born.allowedActions.find((a) => a === "close");
    expect(action, born.state).toBe("close");
    const acted = await run("act", "alibaba-refund", id, "close", "--input", "{}");
    expect(acted.exitCode, acted.err).toBe(0);
    expect(JSON.parse(acted.out)).toMatchObject({ id, state: "refundclose", stored: true, version: 1, tenant: DEMO_PANDAPON.accessKey });

    const refused = await run("act", "alibaba-refund", id, "close");
    expect(refused).toMatchObject({ exitCode: 1, out: "" });
    expect(refused.err).toMatch(/409 Failed to take "close" on the alibaba-refund ".*": "close" is not allowed in the state "refundclose"\. Allowed actions: none\.\n$/);

    expect((await run("entities")).out).toMatch(new RegExp(`^alibaba-refund  ${id}  refundclose  tenant ${DEMO_PANDAPON.accessKey}  v1  allowed: none\\n1 stored\\.\\n$`));
    expect((await run("entities", "--types")).out).toContain("seller-agree (seller)");
    expect((await run("clock")).out).toBe(`${new Date(NOW).toISOString()} (frozen)\n`);
    expect((await run("clock", "--advance", "90")).out).toBe(`${new Date(NOW + 90_000).toISOString()} (frozen)\n`);
    expect((await run("reset", "--tenant", "someone-else")).out).toBe("Reset the entities of someone-else.\n");
    expect((await run("entities", "alibaba-refund")).out).toContain("1 stored.");
    expect((await run("reset")).out).toBe("Reset every entity.\n");
    expect((await run("entities")).out).toBe("0 stored.\n");
    await stop();
  });

  it("says so when the token is missing (exit 1, the mock's 401)", async () => {
    const { url, stop } = await setup();
    const test = createTestIo({ env: { PANDAPON_MOCK_URL: url } });
    const result = await runProgram(createProgram(test.io), test, ["clock"]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toMatch(/^Failed to call "GET http:\/\/127\.0\.0\.1:\d+\/__mock\/clock": 401 /);
    await stop();
  });
});
