import request from "supertest";
import { describe, expect, it } from "vitest";
import type {
  AlibabaRefundInfoRequest,
  AlibabaRefundInfoResponse,
  OperationTypes,
  TaobaoPcRefundDetailRequest,
  TaobaoPcRefundDetailResponse,
  V2AlibabaRefundGoodsReturnRequest,
} from "../generated/index.js";
import { setupMock } from "./helpers/mock-setup.js";

// These assignments are checked by `npm run typecheck`: if a generated type loosened or changed,
// a `@ts-expect-error` below would become unused and the typecheck would fail.
const goodReturn: V2AlibabaRefundGoodsReturnRequest = { refundId: "TQ1", logisticsCompanyNo: "ZTO", freightBill: "1", vouchers: ["u"] };
// @ts-expect-error freightBill is required by the documented request.
const missingBill: V2AlibabaRefundGoodsReturnRequest = { refundId: "TQ1", logisticsCompanyNo: "ZTO" };
// @ts-expect-error buyer_id is a Number in the TOP struct.
const badBuyer: TaobaoPcRefundDetailRequest = { refund_detail_order_req: { dispute_id: "1", buyer_id: "1" } };
const infoByName: OperationTypes["/alibaba/refund/info"]["request"] = { refundId: "TQ1" } satisfies AlibabaRefundInfoRequest;

describe("generated types", () => {
  it("describe what the mock actually answers", async () => {
    const { app, pandaponHeaders, topParams } = setupMock();
    const info = (await request(app).post("/alibaba/refund/info").set(pandaponHeaders()).send(infoByName)).body as AlibabaRefundInfoResponse;
    const amount: number | null | undefined = info.data?.applyPayment;
    expect(typeof amount).toBe("number");
    const status: string | null | undefined = info.data?.status;
    expect(typeof status).toBe("string");

    const form = new URLSearchParams(topParams({ refund_detail_order_req: JSON.stringify({ dispute_id: "7", buyer_id: 1 }) })).toString();
    const detail = (await request(app).post("/router/rest").type("form").send(form)).body as TaobaoPcRefundDetailResponse;
    const disputeType: 1 | 2 | 3 | 4 | undefined = detail.pc_refund_detail_response.result?.refund_dispute_order_resp?.dispute_type;
    expect([1, 2, 3, 4]).toContain(disputeType);
    expect(detail.pc_refund_detail_response.result?.refund_dispute_order_resp?.dispute_id).toBe("7");
  });

  it("keep the documented required members required", () => {
    expect(goodReturn.freightBill).toBe("1");
    expect(missingBill).not.toHaveProperty("freightBill");
    expect(badBuyer.refund_detail_order_req?.buyer_id).toBe("1");
  });
});
