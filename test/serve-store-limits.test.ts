import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRefundCreateRequest, readAnsweredRefundId } from "../scripts/bench/create-state-requests.js";
import { sendRequest } from "../scripts/bench/send-request.js";
import { startBundledServe } from "./helpers/start-bundled-serve.js";

// The state store's bounds set by a user, on the built CLI: a config file, the environment and flags.

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A receiver answering every push 500: the pushes stay pending (retried 30 minutes later on the virtual clock). */
async function startFailingReceiver(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(500).end());
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  stops.push(() => new Promise<void>((done) => server.close(() => done())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
}

async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "serve-store-limits-"));
  const started = startBundledServe(args, { cwd: dir, env: { ...process.env, ...env } });
  stops.push(() => {
    started.child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return started.ready;
}

describe("serve with the state store's bounds set", () => {
  it("keeps the pushes, history and entities it was told, from the config file, the environment and flags", async () => {
    const receiver = await startFailingReceiver();
    const dir = mkdtempSync(join(tmpdir(), "serve-store-limits-config-"));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, "mock.json");
    writeFileSync(config, JSON.stringify({ maxPushes: 100, maxEntities: 100 }));
    // The flag wins over the file (2 pushes), the environment over the file (3 entities).
    const url = await serve(["--config", config, "--state", "memory", "--callback-url", receiver, "--max-pushes", "2"], { PANDAPON_MOCK_MAX_ENTITIES: "3" });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await sendRequest(url, createRefundCreateRequest()));
    expect(answers.slice(0, 3).map((a) => [a.status, readAnsweredRefundId(a.body) !== undefined])).toEqual([
      [200, true],
      [200, true],
      [200, true],
    ]);
    // The fourth entity finds the state full: refused in the API's error shape, not a 5xx.
    const fourth = JSON.parse(answers[3]!.body) as { code: number; msg: string };
    expect(answers[3]!.status).toBeLessThan(500);
    expect(fourth.code).not.toBe(200);
    expect(fourth.msg).toMatch(/full|maxEntities|at most/i);
    const pushes = (await (await fetch(`${url}/__mock/pushes`)).json()) as { pushes: Array<{ state: string }>; counts: unknown };
    // Three creates pushed three messages: two kept (pending, the receiver failing), the third refused and counted.
    expect(pushes.counts).toEqual({ kept: 2, finished: 0, refused: 1 });
    expect(pushes.pushes.map((p) => p.state)).toEqual(["pending", "pending"]);
  });
});
