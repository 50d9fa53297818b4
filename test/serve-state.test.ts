import { once } from "node:events";
import { existsSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAdminClient } from "../client/create-admin-client.js";
import { startBundledServe } from "./helpers/start-bundled-serve.js";

// The built CLI in real processes: a write the admin API answered 200 survives kill -9 and a restart.

function createStateFile(): string {
  return join(mkdtempSync(join(tmpdir(), "serve-state-")), "state", "mock.sqlite");
}

async function stop(server: ReturnType<typeof startBundledServe>, signal: NodeJS.Signals): Promise<void> {
  const ended = once(server.child, "close");
  server.child.kill(signal);
  await ended;
}

describe("serve keeps its state in a file", () => {
  it("keeps an entity the admin API answered 200 for across kill -9 and a restart", async () => {
    const file = createStateFile();
    const first = startBundledServe(["--state", file]);
    const url = await first.ready;
    expect(first.output()).toContain(`state: in ${file} (kept across restarts)`);
    const client = createAdminClient({ baseUrl: url });
    const cart = await client.entities.create("alibaba-cart");
    // Born on the real clock: the first of these refunds still open.
    let refund = await client.entities.get("alibaba-refund", "TQ865149372296100");
    for (let n = 1; n < 50 && !refund.allowedActions.includes("close"); n++) refund = await client.entities.get("alibaba-refund", `TQ8651493722961${String(n).padStart(2, "0")}`);
    const acted = await client.entities.act("alibaba-refund", refund.id, "close");
    expect(acted).toMatchObject({ state: "refundclose", stored: true, version: 1 });
    await client.clock.advance(3600);
    await stop(first, "SIGKILL");

    const second = startBundledServe(["--state", file]);
    const again = createAdminClient({ baseUrl: await second.ready });
    expect(await again.entities.get("alibaba-cart", cart.id)).toMatchObject({ stored: true, version: 1, state: cart.state, fields: cart.fields });
    expect(await again.entities.get("alibaba-refund", refund.id)).toMatchObject({ stored: true, state: acted.state, history: acted.history });
    expect((await again.clock.get()).setting).toMatchObject({ mode: "offset" });
    expect((await again.clock.get()).epochMs - Date.now()).toBeGreaterThan(3500_000);
    await stop(second, "SIGTERM");
  }, 60_000);

  it("refuses in one line (exit 2) a state file another mock holds", async () => {
    const file = createStateFile();
    const first = startBundledServe(["--state", file]);
    await first.ready;
    const second = startBundledServe(["--state", file]);
    const [code] = (await once(second.child, "close")) as [number];
    expect(code).toBe(2);
    expect(second.output()).toMatch(/^pandapon-mock serve: Failed to open the state file "[^"]+": another process holds it[^\n]*\n$/);
    await stop(first, "SIGTERM");
  }, 60_000);

  it("keeps it in .pandapon-mock/state.sqlite of the working directory by default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-default-"));
    const env = { ...process.env };
    delete env.PANDAPON_MOCK_STATE;
    const server = startBundledServe([], { env, cwd: dir });
    await server.ready;
    expect(server.output()).toContain(`state: in ${join(realpathSync(dir), ".pandapon-mock/state.sqlite")} (kept across restarts)`);
    expect(existsSync(join(dir, ".pandapon-mock/state.sqlite"))).toBe(true);
    await stop(server, "SIGTERM");
  }, 60_000);

  it("--stateless keeps no file and says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-stateless-"));
    const server = startBundledServe(["--stateless", "--state", join(dir, "x.sqlite")]);
    const url = await server.ready;
    expect(server.output()).toContain("state: none (--stateless)");
    expect((await fetch(`${url}/__mock/clock`)).status).toBe(404);
    expect(existsSync(join(dir, "x.sqlite"))).toBe(false);
    await stop(server, "SIGTERM");
  }, 60_000);
});
