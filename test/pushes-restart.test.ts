import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAdminClient } from "../client/create-admin-client.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { REFUND_APPLICATION } from "./helpers/flow-requests.js";
import { startPushReceiver } from "./helpers/push-receiver.js";
import { startBundledServe } from "./helpers/start-bundled-serve.js";

// The outbox lives in the state file: a push whose first attempt failed, its process killed (-9),
// is retried by the next process on the same file once its retry falls due.

const CREATE = {
  purchaseAmount: 400,
  receiver: '{"address":"测试地址","mobile_phone":"15068763421","name":"a测试aa"}',
  orderLineList: '[{"itemId":"600126245031041190","quantity":"2","price":"100"}]',
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("pushes survive kill -9 and a restart (a real serve process, a state file)", () => {
  it("retries after the restart, exactly once more, and the receiver accepts it", async () => {
    let failing = true;
    let clockOffsetMs = 0;
    const receiver = await startPushReceiver({ secret: DEMO_PANDAPON.secret, now: () => Date.now() + clockOffsetMs, behave: () => (failing ? 500 : undefined) });
    cleanups.push(receiver.stop);
    const file = join(mkdtempSync(join(tmpdir(), "pushes-restart-")), "state.sqlite");
    const first = startBundledServe(["--state", file, "--callback-url", receiver.url]);
    cleanups.push(() => void first.child.kill("SIGKILL"));
    const admin = createAdminClient({ baseUrl: await first.ready });
    await admin.entities.create("taobao-order", { input: CREATE });
    await waitFor("the first attempt", () => receiver.hits() === 1);
    // Let the attempt be recorded, then kill.
    await new Promise((r) => setTimeout(r, 200));
    const ended = once(first.child, "close");
    first.child.kill("SIGKILL");
    await ended;

    failing = false;
    const second = startBundledServe(["--state", file, "--callback-url", receiver.url]);
    cleanups.push(async () => {
      const closed = once(second.child, "close");
      second.child.kill("SIGTERM");
      await closed;
    });
    const url = await second.ready;
    const again = createAdminClient({ baseUrl: url });
    // Not due yet: nothing is sent before the 30 minutes.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.hits()).toBe(1);
    await again.clock.advance(30 * 60);
    clockOffsetMs = 30 * 60 * 1000;
    await waitFor("the retry", () => receiver.received.length === 1);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received[0]!.message.messageType).toBe("TAOBAO_ORDER_STATUS_MODIFY");
    const listed = (await (await fetch(`${url}/__mock/pushes`)).json()) as { pushes: Array<{ state: string; attemptCount: number; attempts: Array<{ status?: number }> }> };
    expect(listed.pushes).toHaveLength(1);
    expect(listed.pushes[0]).toMatchObject({ state: "done", attemptCount: 2 });
    expect(listed.pushes[0]!.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(receiver.hits()).toBe(2);
    // The demo secret is printed in the banner by design (not a secret); the signatures never are.
    expect(second.output() + first.output()).not.toContain(receiver.received[0]!.authorization!);
  }, 40_000);

  it("a refund's timeout that falls due while the mock is down fires at the next start and its push arrives, without any read, at the callback URL set at run time", async () => {
    let clockOffsetMs = 0;
    const receiver = await startPushReceiver({ secret: DEMO_PANDAPON.secret, now: () => Date.now() + clockOffsetMs });
    cleanups.push(receiver.stop);
    const file = join(mkdtempSync(join(tmpdir(), "pushes-restart-")), "state.sqlite");
    // Configured: a dead URL; the receiver's is set at run time, and must still be the one after kill -9.
    const dead = "http://127.0.0.1:1/callback";
    const first = startBundledServe(["--state", file, "--callback-url", dead]);
    cleanups.push(() => void first.child.kill("SIGKILL"));
    const admin = createAdminClient({ baseUrl: await first.ready });
    await admin.callbackUrls.set(DEMO_PANDAPON.accessKey, [receiver.url]);
    const refund = await admin.entities.create("alibaba-refund", { input: REFUND_APPLICATION });
    await waitFor("the created refund's push", () => receiver.received.length === 1);
    // 3 s (real time) before the seller's 5 days end, the mock is killed.
    await admin.clock.advance(5 * 24 * 3600 - 3);
    clockOffsetMs = 5 * 24 * 3600 * 1000;
    const ended = once(first.child, "close");
    first.child.kill("SIGKILL");
    await ended;
    expect(receiver.received).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 3500));

    const second = startBundledServe(["--state", file, "--callback-url", dead]);
    cleanups.push(async () => {
      const closed = once(second.child, "close");
      second.child.kill("SIGTERM");
      await closed;
    });
    const url = await second.ready;
    await waitFor("the timeout's push", () => receiver.received.length === 2);
    expect(receiver.rejected).toEqual([]);
    expect((receiver.received[1]!.message.messageBody as { status?: string }).status).toBe("waitbuyersend");
    const listed = (await (await fetch(`${url}/__mock/pushes`)).json()) as { pushes: Array<{ action: string; state: string; entity: { id: string } }> };
    expect(listed.pushes.map((p) => [p.action, p.state, p.entity.id])).toEqual([
      ["create", "done", refund.id],
      ["timeout-agree", "done", refund.id],
    ]);
    const page = await createAdminClient({ baseUrl: url }).entities.list({ type: "alibaba-refund" });
    expect(page.entities[0]).toMatchObject({ id: refund.id, state: "waitbuyersend", version: 2 });
  }, 40_000);
});
