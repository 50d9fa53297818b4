import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import type { Recording } from "../mock/replay/recording.js";
import { RECORDING_FORMAT } from "../mock/replay/recording.js";
import { seedStateFromRecordings } from "../mock/replay/seed-state.js";
import { toCanonicalText, toPayloadHash } from "../mock/replay/to-canonical-text.js";
import { getLifecycles } from "../mock/state/lifecycle.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

const INFO = "/alibaba/refund/info";
type Mock = Awaited<ReturnType<typeof startStatefulMock>>;
let recorder: Mock;
let replayer: Mock;
beforeAll(async () => {
  // Two mocks on different seeds: the refunds the second would bear are not the recorded ones.
  [recorder, replayer] = await Promise.all([startStatefulMock({ seed: 7 }), startStatefulMock({ seed: 8 })]);
});
afterAll(async () => {
  await recorder.stop();
  await replayer.stop();
});

/** A recording of a read of `refundId` as the proxy writes one (the answer's body as it came). */
function toRecording(refundId: string, status: number, body: string): Recording {
  const business = toCanonicalText({ refundId });
  return {
    format: RECORDING_FORMAT,
    api: "pandapon",
    operation: INFO,
    key: toPayloadHash(INFO, business),
    sequence: 1,
    recordedAt: "2025-05-14T12:00:00.000Z",
    request: { method: "POST", path: INFO, format: "json", business },
    answer: { status, contentType: "application/json; charset=utf-8", body },
  };
}

async function findRecordedRefund(state: string): Promise<{ id: string; body: string }> {
  for (let n = 0; n < 400; n++) {
    const id = `TQ${String(30_000_000_000_000_000n + BigInt(n) * 7919n)}`;
    const answer = await recorder.pandapon.call(INFO, { refundId: id });
    if ((answer.data as { status: string }).status === state) return { id, body: answer.rawBody };
  }
  throw new Error(`no refund in ${state}`);
}

describe("replay with state: recorded answers seed the entity store", () => {
  it("a recorded refund becomes the stored refund that later reads and writes act on", async () => {
    const recorded = await findRecordedRefund("waitbuyersend");
    const recordedData = JSON.parse(recorded.body).data as Record<string, unknown>;
    const outcome = await seedStateFromRecordings(replayer.state, getLifecycles().values(), [toRecording(recorded.id, 200, recorded.body), toRecording("TQ1", 500, "{}")], { pandapon: DEMO_PANDAPON.accessKey, top: DEMO_TOP.appKey });
    expect(outcome.seeded).toHaveLength(1);
    expect(outcome.skipped.map((s) => s.reason)).toEqual(["answered HTTP 500"]);

    const entity = await replayer.admin.entities.get("alibaba-refund", recorded.id);
    expect(entity).toMatchObject({ stored: true, state: "waitbuyersend" });
    const read = (await replayer.pandapon.call(INFO, { refundId: recorded.id })).data as Record<string, unknown>;
    for (const field of ["status", "applyPayment", "applyReason", "sellerReceiveAddress", "refundOperationList", "gmtApply"]) expect(read[field], field).toEqual(recordedData[field]);
    expect(recorded.body).toContain(`"orderId":${String(read.orderId)}`);

    const returned = await replayer.pandapon.call("/v2/alibaba/refund/goods/return", { refundId: recorded.id, logisticsCompanyNo: "SF", freightBill: "SF1234567890123", description: "已寄回" });
    expect(returned.status).toBe(200);
    const after = (await replayer.pandapon.call(INFO, { refundId: recorded.id })).data as Record<string, unknown>;
    expect(after).toMatchObject({ status: "waitsellerreceive", freightBill: "SF1234567890123", buyerSendGoods: true, applyPayment: recordedData.applyPayment });

    // Seeding again leaves the stored entity as it is now.
    await seedStateFromRecordings(replayer.state, getLifecycles().values(), [toRecording(recorded.id, 200, recorded.body)], { pandapon: DEMO_PANDAPON.accessKey, top: DEMO_TOP.appKey });
    expect((await replayer.admin.entities.get("alibaba-refund", recorded.id)).state).toBe("waitsellerreceive");
  });
});
