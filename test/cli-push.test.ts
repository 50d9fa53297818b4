import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { startPushReceiver } from "./helpers/push-receiver.js";
import { BUNDLE } from "./helpers/start-bundled-serve.js";

const run = promisify(execFile);
const MESSAGE_TYPES = [
  "TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY",
  "1688_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY",
  "TAOBAO_ORDER_STATUS_MODIFY",
  "1688_ORDER_STATUS_MODIFY",
  "TAOBAO_ORDER_AFTER_SALES_REFUND",
  "1688_ORDER_AFTER_SALES_REFUND",
];

let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
beforeAll(async () => {
  receiver = await startPushReceiver({ secret: DEMO_PANDAPON.secret, now: Date.now });
});
afterAll(() => receiver.stop());

describe("pandapon-mock push (no running mock)", () => {
  it("sends every messageType the mock pushes, signed, and the project's receiver accepts each", async () => {
    for (const messageType of MESSAGE_TYPES) {
      const { stdout } = await run(process.execPath, [BUNDLE, "push", messageType, "--to", receiver.url]);
      expect(stdout).toContain(`acknowledged: ${messageType}`);
    }
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((r) => r.message.messageType)).toEqual(MESSAGE_TYPES);
  }, 60_000);

  it("is not acknowledged with the wrong secret (exit 1, the receiver's 401), and refuses an unknown messageType (exit 2)", async () => {
    const wrong = await run(process.execPath, [BUNDLE, "push", "TAOBAO_ORDER_STATUS_MODIFY", "--to", receiver.url, "--secret", "wrong"]).catch((e: { code: number; stderr: string }) => e);
    expect(wrong).toMatchObject({ code: 1 });
    expect((wrong as { stderr: string }).stderr).toContain("HTTP 401");
    const unknown = await run(process.execPath, [BUNDLE, "push", "NOPE", "--to", receiver.url]).catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 2 });
    expect((unknown as { stderr: string }).stderr).toContain("No entity pushes NOPE");
  }, 30_000);
});
