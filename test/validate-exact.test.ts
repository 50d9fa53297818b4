import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InexactNumber } from "../protocol/to-exact-number.js";
import { SCHEMA_DIR, getCatalog, loadCatalog } from "../schemas/catalog.js";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const ID = 2542285634920880794n;

/** A catalog whose refund-info request also has a number, a free-form member and a list of integer-or-null (through $ref and anyOf). */
function setupCatalog() {
  const dir = mkdtempSync(join(tmpdir(), "schemas-"));
  mkdirSync(join(dir, "pandapon"));
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "pandapon/alibaba-refund-info.json"), "utf8"));
  Object.assign(schema.definitions.Request.properties, {
    weight: { type: "number", maximum: 1e30 },
    anything: {},
    ids: { type: "array", items: { $ref: "#/definitions/IdOrNull" } },
  });
  schema.definitions.IdOrNull = { anyOf: [{ type: "integer" }, { type: "null" }] };
  writeFileSync(join(dir, "pandapon/alibaba-refund-info.json"), JSON.stringify(schema));
  return loadCatalog(dir).find("/alibaba/refund/info")!;
}

const cancel = () => getCatalog().find("/alibaba/order/cancel")!;
const cancelWith = (orderId: unknown) => ({ webSite: "1688", orderId, cancelReason: "其他原因" });

describe("validating numbers read exactly", () => {
  it("accepts a 19-digit id and leaves it the exact bigint it was", () => {
    const payload = cancelWith(ID);
    expect(cancel().checkRequest(payload, { exactNumbers: true })).toEqual([]);
    expect(payload.orderId).toBe(ID);
  });

  it("refuses a fraction the double lost where the schema wants an integer", () => {
    expect(cancel().checkRequest(cancelWith(new InexactNumber("2542285634920880794.5")), { exactNumbers: true })).toEqual([
      { path: "orderId", rule: "type", message: "must be integer", severity: "error" },
    ]);
  });

  it("refuses integers outside the signed 64-bit range, once each, and accepts both ends", () => {
    const check = (orderId: unknown) => cancel().checkRequest(cancelWith(orderId), { exactNumbers: true });
    const above = [{ path: "orderId", rule: "maximum", message: "must be <= 9223372036854775807 (a signed 64-bit integer)", severity: "error" }];
    const below = [{ path: "orderId", rule: "minimum", message: "must be >= -9223372036854775808 (a signed 64-bit integer)", severity: "error" }];
    expect(check(INT64_MAX + 1n)).toEqual(above);
    expect(check(10n ** 20n)).toEqual(above);
    expect(check(Infinity)).toEqual(above);
    expect(check(INT64_MIN - 1n)).toEqual(below);
    expect(check(INT64_MAX)).toEqual([]);
    expect(check(INT64_MIN)).toEqual([]);
  });

  it("judges every other rule on the nearest double: a type, a missing member", () => {
    expect(cancel().checkRequest({ webSite: ID, orderId: new InexactNumber("1.00000000000000001") }, { exactNumbers: true })).toEqual([
      { path: "cancelReason", rule: "required", message: "is required", severity: "error" },
      { path: "webSite", rule: "type", message: "must be string", severity: "error" },
      { path: "orderId", rule: "type", message: "must be integer", severity: "error" },
    ]);
  });

  it("accepts doubtful numbers where the schema wants a number or anything, and finds integers through $ref and anyOf", () => {
    const operation = setupCatalog();
    const payload = { refundId: "TQ1", weight: new InexactNumber("1.00000000000000001"), anything: 10n ** 30n, ids: [ID, null, 2n ** 64n] };
    expect(operation.checkRequest(payload, { exactNumbers: true })).toEqual([
      { path: "ids[2]", rule: "maximum", message: "must be <= 9223372036854775807 (a signed 64-bit integer)", severity: "error" },
    ]);
    expect(payload.weight).toBe(1);
    expect(payload.anything).toBe(10n ** 30n);
    expect(payload.ids).toEqual([ID, null, 2n ** 64n]);
    expect(operation.checkRequest({ refundId: "TQ1", weight: 10n ** 31n }, { exactNumbers: true })).toEqual([
      { path: "weight", rule: "maximum", message: "must be <= 1e+30", severity: "error" },
    ]);
  });

  it("keeps a TOP struct member's exact digits where the coercing validator turns numbers into strings", () => {
    const router = getCatalog().find("taobao.pc.refund.router")!;
    const payload = { refund_claims_order_req: { biz_order_id: ID, buyer_id: 10000001 } };
    expect(router.checkRequest(payload, { exactNumbers: true })).toEqual([]);
    expect(payload.refund_claims_order_req.biz_order_id).toBe(ID);
    const inexact = { refund_claims_order_req: { biz_order_id: "1", buyer_id: new InexactNumber("10000001.000000000000001") } };
    expect(router.checkRequest(inexact, { exactNumbers: true })).toEqual([
      { path: "refund_claims_order_req.buyer_id", rule: "type", message: "must be integer", severity: "error" },
    ]);
  });
});
