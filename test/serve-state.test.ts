import { once } from "node:events";
import { existsSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAdminClient } from "../client/create-admin-client.js";
import type { CallResult } from "../client/call-result.js";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { REFUND_APPLICATION } from "./helpers/flow-requests.js";
import { startBundledServe } from "./helpers/start-bundled-serve.js";

// The built CLI in real processes: a write the admin API or a protocol call answered 200 survives
// kill -9 and a restart.

const REFUND = REFUND_APPLICATION;
const DISPUTE = {
  biz_order_id: "4012345678901234567",
  out_biz_id: "RMA-1",
  biz_claim_type: 3,
  leave_message_content: "杯盖有裂痕，申请退货退款",
  refund_fee: 12345,
  apply_refund_text_id: 100503,
  goods_status: 2,
  buyer_id: 2200012345,
};

/** The answer's text without its request id (a new one for every request). */
function withoutRequestId(answer: CallResult): string {
  expect(answer.status).toBe(200);
  expect(answer.apiError).toBeUndefined();
  return answer.rawBody.replace(/"request_?[iI]d":"\w+"/g, '"requestId":""');
}

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

  it("keeps what protocol calls wrote and admin actions moved (a 1688 refund, a TOP dispute) across kill -9 and a restart", async () => {
    const file = createStateFile();
    const first = startBundledServe(["--state", file]);
    const started = [first];
    try {
      const url = await first.ready;
      const clients = (base: string) => ({
        admin: createAdminClient({ baseUrl: base }),
        pandapon: createPandaponClient({ baseUrl: base, ...DEMO_PANDAPON, retries: 0 }),
        top: createTopClient({ gateway: base, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0 }),
      });
      const before = clients(url);

      // Written through the APIs: a 1688 refund (PandaPon) and a TOP dispute, each answered 200.
      const refundCreated = await before.pandapon.call("/alibaba/refund/detail/create", REFUND);
      expect(refundCreated.status).toBe(200);
      const refundId = (refundCreated.data as { refundId: string }).refundId;
      const disputeCreated = await before.top.call("taobao.pc.refund.submit", { refund_agreement_order_req: DISPUTE });
      expect(disputeCreated.apiError).toBeUndefined();
      const disputeId = (disputeCreated.data as { result: { refund_agreement_order_resp: { dispute_id: string } } }).result.refund_agreement_order_resp.dispute_id;
      // Moved by the seller (admin actions), then by the buyer through the API again.
      await before.admin.entities.act("alibaba-refund", refundId, "seller-agree");
      await before.admin.entities.act("top-dispute", disputeId, "seller-agree", { tenant: DEMO_TOP.appKey });
      expect((await before.pandapon.call("/v2/alibaba/refund/goods/return", { refundId, logisticsCompanyNo: "SF", freightBill: "SF1234567890123", description: "已寄回" })).status).toBe(200);
      expect((await before.top.call("taobao.pc.refund.return", { refund_return_goods_req: { dispute_id: disputeId, logistics_company_code: "SF", logistics_company_name: "顺丰速运", logistics_no: "SF1401234567890", mobile_num: "13812345678", buyer_id: 2200012345 } })).apiError).toBeUndefined();
      await before.admin.clock.advance(3600);

      const read = async (c: ReturnType<typeof clients>) => {
        const refund = await c.pandapon.call("/alibaba/refund/info", { refundId });
        const dispute = await c.top.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: disputeId, buyer_id: 2200012345 } });
        return {
          refund: withoutRequestId(refund),
          dispute: withoutRequestId(dispute),
          entities: [await c.admin.entities.get("alibaba-refund", refundId), await c.admin.entities.get("top-dispute", disputeId, { tenant: DEMO_TOP.appKey })],
        };
      };
      const seen = await read(before);
      expect(seen.refund).toContain('"status":"waitsellerreceive"');
      expect(seen.refund).toContain(`"orderId":${REFUND.orderId}`);
      expect(seen.refund).toContain('"freightBill":"SF1234567890123"');
      expect(seen.dispute).toContain('"dispute_status":3');
      expect(seen.dispute).toContain('"logistics_no":"SF1401234567890"');
      expect(seen.entities.map((e) => [e.stored, e.version])).toEqual([[true, 3], [true, 3]]);
      const clockBefore = await before.admin.clock.get();
      await stop(first, "SIGKILL");

      const second = startBundledServe(["--state", file]);
      started.push(second);
      const after = clients(await second.ready);
      // The same answers, byte for byte but the request id, and the same entities.
      expect(await read(after)).toEqual(seen);
      const clockAfter = await after.admin.clock.get();
      expect(clockAfter.setting).toEqual(clockBefore.setting);
      expect(clockAfter.epochMs - clockBefore.epochMs).toBeGreaterThanOrEqual(0);
      expect(clockAfter.epochMs - Date.now()).toBeGreaterThan(3500_000);
      await stop(second, "SIGTERM");
    } finally {
      // A failed expectation must not leave a server running.
      for (const server of started) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    }
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
