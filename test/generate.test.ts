import { describe, expect, it } from "vitest";
import { createProducer } from "../mock/generate/create-producer.js";
import { toJsonText, writeKeptJson } from "../protocol/json-wire.js";
import { toTopXml } from "../protocol/top-xml.js";
import { writeTopSuccess } from "../mock/top/write-top-envelope.js";
import { getCatalog } from "../schemas/catalog.js";
import { toViolations } from "../schemas/violations.js";

const catalog = getCatalog();
const RUNS = 40;

function setup(seed: number | string = 7) {
  return { producer: createProducer(catalog, { seed }) };
}

/** Data is validated as its JSON text parses (bigint ids become numbers, as a client would see them). */
function asParsedJson(value: unknown): unknown {
  return JSON.parse(toJsonText(value));
}

describe("generated answers validate against their own schemas", () => {
  for (const op of catalog.operations) {
    it(`${op.meta.name}: ${RUNS} seeds × requests give valid responses`, () => {
      for (let run = 0; run < RUNS; run++) {
        const { producer } = setup(run);
        const request = producer.produceRequest(op, run);
        expect(op.checkRequest(asParsedJson(request)), `request #${run}`).toEqual([]);
        if (!op.data) continue;
        const validate = catalog.getValidator(`${op.id}#/definitions/Data`);
        const data = asParsedJson(producer.produceData(op, request));
        expect(validate(data) ? [] : toViolations(validate.errors), `data #${run}`).toEqual([]);
      }
    });
  }
});

describe("answers are generated as wire text (UTF-8 bytes, one per char)", () => {
  const strict = new TextDecoder("utf-8", { fatal: true });
  for (const op of catalog.operations.filter((o) => o.data)) {
    it(`${op.meta.name}: the answer's bytes are the UTF-8 of its data, Chinese text included`, () => {
      let chinese = 0;
      for (let run = 0; run < 10; run++) {
        const { producer } = setup(run);
        const request = producer.produceRequest(op, run);
        const { text: dataText } = producer.produceAnswer(op, request, "json");
        expect(/[^\x00-\xff]/.test(dataText), `a char above 0xFF in answer #${run}`).toBe(false);
        const text = strict.decode(Buffer.from(dataText, "latin1"));
        expect(text).toBe(toJsonText(producer.produceData(op, request)));
        if (/[\u4e00-\u9fff]/.test(text)) chinese += 1;
      }
      if (op.meta.api === "top") {
        const request = setup(3).producer.produceRequest(op, 3);
        const xml = writeTopSuccess("r", "id", setup(3).producer.produceAnswer(op, request, "xml"));
        const data = setup(3).producer.produceData(op, request) as Record<string, unknown>;
        expect(strict.decode(Buffer.from(xml, "latin1"))).toBe(toTopXml("r", { ...data, request_id: "id" }));
      }
      // Most answers carry Chinese (names, addresses, reasons): the conversion is exercised, not skipped.
      if (/refund\/info$/.test(op.meta.name)) expect(chinese).toBe(10);
    });
  }

  it("echoes non-ASCII request text byte for byte", () => {
    const op = catalog.find("/alibaba/refund/info")!;
    const { producer } = setup();
    const refundId = "TQ退款😀1";
    const { text: dataText } = producer.produceAnswer(op, { refundId }, "json");
    expect(Buffer.from(dataText, "latin1").toString("utf8")).toContain(`"refundId":"${refundId}"`);
    expect((producer.produceData(op, { refundId }) as { refundId: string }).refundId).toBe(refundId);
  });
});

describe("answers a caller changes (views of entities)", () => {
  const op = catalog.find("/alibaba/refund/info")!;
  const request = { refundId: "TQ12345678901234567" };
  const shown = { productName: "展示的商品", createTime: "2025-01-02 03:04:05", refundId: request.refundId };
  /** What the change leaves of the generated members: each one it sets is seen by `apply` before it sets it. */
  const produce = (seed: number, paths: string[], seen: Record<string, unknown>) =>
    JSON.parse(
      setup(seed).producer.produceAnswer(op, request, "json", undefined, {
        paths,
        apply: (data) => {
          const d = data as Record<string, unknown>;
          for (const path of paths) {
            seen[path] = d[path];
            d[path] = path in shown ? (shown as Record<string, unknown>)[path] : d[path];
          }
          return d;
        },
      }).text,
    ) as Record<string, unknown>;

  it("does not generate the members a change sets, keeps their place, and generates those a generated member reads", () => {
    const full = JSON.parse(setup(3).producer.produceAnswer(op, request, "json").text) as Record<string, unknown>;
    const paths = ["productName", "createTime", "refundId", "gmtCreate", "gmtApply"];
    for (const seed of [1, 2, 3]) {
      const seen: Record<string, unknown> = {};
      const changed = produce(seed, paths, seen);
      expect(Object.keys(changed)).toEqual(Object.keys(full));
      // Left out: nothing generated reads them.
      expect([seen.productName, seen.createTime]).toEqual([undefined, undefined]);
      // Generated: id reads refundId (echoed), gmtApply reads gmtCreate, and gmtModified and gmtFreezed read gmtApply.
      expect(seen.refundId).toBe(request.refundId);
      expect(String(seen.gmtCreate)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(String(changed.gmtModified) >= String(seen.gmtApply)).toBe(true);
      expect(changed.productName).toBe(shown.productName);
      const validate = catalog.getValidator(`${op.id}#/definitions/Data`);
      expect(validate(changed) ? [] : toViolations(validate.errors)).toEqual([]);
    }
    expect(produce(5, paths, {})).toEqual(produce(5, paths, {}));
  });
});

describe("determinism and realism", () => {
  const info = catalog.find("/alibaba/refund/info")!;

  it("gives identical bytes for the same seed and request, and different ones for another seed", () => {
    const request = { refundId: "TQ8651493722961198" };
    const a = toJsonText(setup(1).producer.produceData(info, request));
    const b = toJsonText(setup(1).producer.produceData(info, { ...request }));
    const c = toJsonText(setup(2).producer.produceData(info, request));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("ignores key order in the request when deriving the answer", () => {
    const op = catalog.find("/v2/alibaba/refund/goods/return")!;
    const { producer } = setup();
    const r1 = { refundId: "TQ1", logisticsCompanyNo: "ZTO", freightBill: "1" };
    const r2 = { freightBill: "1", logisticsCompanyNo: "ZTO", refundId: "TQ1" };
    expect(toJsonText(producer.produceData(op, r1))).toBe(toJsonText(producer.produceData(op, r2)));
  });

  it("echoes the refundId asked for and keeps amounts, ids and times consistent", () => {
    const { producer } = setup(3);
    for (let i = 0; i < 200; i++) {
      const refundId = `TQ${String(86514937229611 + i)}`;
      const d = producer.produceData(info, { refundId }) as Record<string, unknown>;
      expect(d.refundId).toBe(refundId);
      expect(String(d.id)).toBe(refundId.slice(2));
      const can = d.canRefundPayment as number;
      const apply = d.applyPayment as number;
      const refund = d.refundPayment as number;
      expect(refund).toBeLessThanOrEqual(apply);
      expect(apply).toBeLessThanOrEqual(can);
      expect(typeof d.orderId).toBe("bigint");
      expect(String(d.orderId)).toMatch(/^2\d{18}$/);
      expect(d.sellerMobile).toMatch(/^1[3-9]\d{9}$/);
      expect(d.sellerRealName).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
      expect(String(d.gmtApply) >= String(d.gmtCreate)).toBe(true);
      expect(String(d.gmtModified) >= String(d.gmtApply)).toBe(true);
      if (d.gmtCompleted) expect(String(d.gmtCompleted) >= String(d.gmtModified)).toBe(true);
    }
  });

  it("writes 19-digit ids as exact integer literals", () => {
    const text = toJsonText({ orderId: 2542285634920880794n, n: 1 });
    expect(text).toBe('{"orderId":2542285634920880794,"n":1}');
  });

  it("writes kept values holding bigints as JSON.stringify would write them with integer literals, leaving them unchanged", () => {
    const value = { ids: [2542285634920880794n, 1n, undefined, "中文\"\n"], skip: undefined, f: () => 1, nested: { at: new Date(0), n: -0, inf: Infinity, big: -5n, list: [] }, ["__proto__"]: 7n, empty: {} };
    Object.defineProperty(value, "__proto__", { value: 7n, enumerable: true });
    const copy = { ...value, ids: [...value.ids] };
    const expected = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `<${v}>` : v)).replace(/"<(-?\d+)>"/g, "$1");
    expect(writeKeptJson(value)).toBe(expected);
    expect(writeKeptJson(value)).toContain('"ids":[2542285634920880794,1,null,"中文\\"\\n"]');
    expect(value).toEqual(copy);
    expect(writeKeptJson({ a: [1, "x"] })).toBe('{"a":[1,"x"]}');
    expect(writeKeptJson([[3n]])).toBe("[[3]]");
  });

  it("keeps TOP line totals and refund fees consistent and echoes the dispute id", () => {
    const op = catalog.find("taobao.pc.refund.detail")!;
    const { producer } = setup(5);
    for (let i = 0; i < 100; i++) {
      const req = { refund_detail_order_req: { dispute_id: `1000000${i}`, buyer_id: 10000001 } };
      const r = (producer.produceData(op, req) as { result: { refund_dispute_order_resp: Record<string, any> } }).result.refund_dispute_order_resp;
      expect(r.dispute_id).toBe(`1000000${i}`);
      const item = r.refund_item_v_o;
      expect(item.total_fee).toBe(item.item_price * item.buy_amount);
      expect(r.refund_fee).toBeLessThanOrEqual(item.total_fee);
      expect(r.goods_count).toBe(item.buy_amount);
      expect(r.logistic_info_v_o.seller_address).toContain(r.logistic_info_v_o.city_name.replace(/市$/, ""));
    }
  });

  it("keeps logistics traces in time order, steps in sequence (揽收 before 签收)", () => {
    const op = catalog.find("/v2/taobao/order/logistics/detail/get")!;
    const steps = ["CONSIGN", "GOT", "DEPARTURE", "ARRIVAL", "SENT_SCAN", "SIGNED"];
    for (let seed = 0; seed < 30; seed++) {
      const data = setup(seed).producer.produceData(op, {}) as { pnmLogisticsDetails: Array<{ logisticsTraces: Array<{ time: string; action: string }> }> };
      for (const parcel of data.pnmLogisticsDetails) {
        const times = parcel.logisticsTraces.map((t) => t.time);
        expect(times).toEqual([...times].sort());
        expect(parcel.logisticsTraces.map((t) => t.action)).toEqual(steps.slice(0, parcel.logisticsTraces.length));
      }
    }
  });

  it("answers one price entry per requested item, echoing its id", () => {
    const op = catalog.find("taobao.pc.item.price.query")!;
    const ids = [800012345678, 800087654321, 800011112222, 800033334444];
    const data = setup().producer.produceData(op, { param: { client_id: "812345", item_list: ids.map((id) => ({ ego_item_id: id })) } }) as {
      result: { ego_item_price_d_t_o_list: { ego_item_price_dto: Array<{ ego_item_id: number }> } };
    };
    expect(data.result.ego_item_price_d_t_o_list.ego_item_price_dto.map((p) => p.ego_item_id)).toEqual(ids);
  });

  it("puts the order id asked for into the 1688 pay URL", () => {
    const op = catalog.find("/alibaba/order/pay/url")!;
    const data = setup().producer.produceData(op, { orderId: "2542285634920880794" }) as { orderId: string; payUrl: string };
    expect(data.orderId).toBe("2542285634920880794");
    expect(data.payUrl).toMatch(/^https:\/\/trade\.1688\.com\/order\/cashier\.htm\?orderId=2542285634920880794&payToken=[0-9a-f]{32}$/);
  });

  it("offers distinct refund claim types with deadlines after the reference date", () => {
    const op = catalog.find("taobao.pc.refund.router")!;
    for (let seed = 0; seed < 30; seed++) {
      const data = setup(seed).producer.produceData(op, {}) as { result: { refund_claims_order_resp: { biz_claim_type_wrapper_v_o_v_o_list: { biz_claim_type_wrapper_vo: Array<{ biz_claim_type: number; expire_time: string }> } } } };
      const claims = data.result.refund_claims_order_resp.biz_claim_type_wrapper_v_o_v_o_list.biz_claim_type_wrapper_vo;
      expect(new Set(claims.map((c) => c.biz_claim_type)).size).toBe(claims.length);
      for (const c of claims) expect(c.expire_time > "2025-04-25 12:00:00").toBe(true);
    }
  });

  it("makes a TOP order's total the sum of its sub-orders' price × quantity", () => {
    const op = catalog.find("taobao.pc.order.detail")!;
    for (let seed = 0; seed < 30; seed++) {
      const request = setup(seed).producer.produceRequest(op, seed);
      const data = setup(seed).producer.produceData(op, request) as {
        result: { order_detail_item: { sub_order_details: { sub_order_detail_item: Array<{ item_price: number; buy_amount: number }> }; pay_info: { total_price: number } } };
      };
      const order = data.result.order_detail_item;
      const lines = order.sub_order_details.sub_order_detail_item;
      expect(lines.length).toBeGreaterThan(0);
      expect(order.pay_info.total_price).toBe(lines.reduce((sum, l) => sum + l.item_price * l.buy_amount, 0));
    }
  });
});

