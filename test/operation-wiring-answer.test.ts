import { describe, expect, it } from "vitest";
import type { EntityRecord } from "../mock/state/entity.js";
import { getLifecycles } from "../mock/state/lifecycle.js";
import { toAnswerEdits } from "../mock/state/operation-wiring.js";

const record = (fields: Record<string, unknown>): EntityRecord => ({
  type: "taobao-reverse-order",
  tenant: "t",
  id: "110012345678",
  state: "closed",
  fields,
  history: [],
  timers: [],
  version: 2,
  createdAt: 0,
  updatedAt: 0,
});
const LINE = { createTime: 1, itemTitle: "耳机", postFee: 800 };

describe("an action's answer (lifecycle `answer`)", () => {
  const cancel = getLifecycles().get("taobao-reverse-order")!.actions.get("cancel")!;

  it("marks the members whose schemas allow no null (a null there leaves the member out)", () => {
    expect(cancel.answer.map(([path, , omitNull]) => [path, omitNull])).toContainEqual(["refundOrderAggregate.logistics", true]);
  });

  it("leaves out a member whose value is null where the schema has no null; shows the value otherwise", () => {
    const none = toAnswerEdits(cancel, record({ refundOrder: { refundStatus: 6 }, purchaseOrderLine: LINE }), {});
    expect(none).toContainEqual({ path: "refundOrderAggregate.logistics", value: undefined });
    expect(none).toContainEqual({ path: "cancelSuccess", value: true });
    const logistics = { receiverAddress: "浙江省杭州市", buyerPhone: "", returnGoodsDesc: "", sellerAgreeReturnDescribe: "同意退货", logisticsCompany: { logisticsCompanyCode: "", logisticsCompanyName: "" } };
    const some = toAnswerEdits(cancel, record({ refundOrder: { refundStatus: 6 }, purchaseOrderLine: LINE, logistics }), {});
    expect(some.find((e) => e.path === "refundOrderAggregate.logistics")?.value).toMatchObject({ receiverAddress: { detailAddress: "浙江省杭州市" }, logisticsCompany: { logisticCompanyCode: "" } });
  });
});
