import { describe, expect, it } from "vitest";
import { DEFAULT_REF_DATE, createProducer } from "../mock/generate/create-producer.js";
import { readTime } from "../mock/state/entity-time.js";
import { readPlainTable } from "../mock/state/read-plain-table.js";
import { getCatalog } from "../schemas/catalog.js";

/**
 * Generated values with an inner structure agree with the rest of their answer, stateful or not
 * (regressions of issue 12: an alipayPaymentId dated on the 41st day of a month; a seller phone
 * whose area code is another city's).
 */
const catalog = getCatalog();
const RUNS = 300;

function setup(seed = 1) {
  const producer = createProducer(catalog, { seed });
  const phoneCity = new Map(readPlainTable("addresses").map((row) => [String(row.phoneCode), String(row.city)]));
  return { producer, phoneCity };
}

describe("generated values with an inner structure", () => {
  it("dates an alipayPaymentId on a real day before the answer's reference date", () => {
    const { producer } = setup();
    const info = catalog.find("/alibaba/refund/info")!;
    for (let run = 0; run < RUNS; run++) {
      const data = producer.produceData(info, producer.produceRequest(info, run)) as { alipayPaymentId: string };
      const day = readTime(data.alipayPaymentId.slice(0, 8));
      expect(day, data.alipayPaymentId).toBeDefined();
      expect(day!).toBeLessThan(Date.parse(DEFAULT_REF_DATE));
    }
  });

  it("gives the seller's landline the area code of the return address's city", () => {
    const { producer, phoneCity } = setup();
    const info = catalog.find("/alibaba/refund/info")!;
    for (let run = 0; run < RUNS; run++) {
      const data = producer.produceData(info, producer.produceRequest(info, run)) as { sellerTel: string; sellerReceiveAddress: string };
      const city = phoneCity.get(data.sellerTel.split("-")[0]!);
      expect(city, data.sellerTel).toBeDefined();
      expect(data.sellerReceiveAddress, data.sellerTel).toContain(city!.replace(/市$/, ""));
    }
  });

  it("gives a product's SKU an option of that product, and its title a material of it (regression: 尺码 L for a 保温杯)", () => {
    const { producer } = setup();
    const products = readPlainTable("products") as unknown as Array<{ noun: string; materials: string[]; option: string; values: string[] }>;
    const cases: Array<[string, (data: unknown) => Array<{ title: string; sku: string }>]> = [
      ["taobao.pc.refund.detail", (d) => {
        const item = (d as { result: { refund_dispute_order_resp: { refund_item_v_o: { item_name: string; sku_title: string } } } }).result.refund_dispute_order_resp.refund_item_v_o;
        return [{ title: item.item_name, sku: item.sku_title }];
      }],
      ["taobao.pc.order.detail", (d) =>
        (d as { result: { order_detail_item: { sub_order_details: { sub_order_detail_item: Array<{ item_name: string; sku_property: string }> } } } }).result.order_detail_item.sub_order_details.sub_order_detail_item.map((s) => ({ title: s.item_name, sku: s.sku_property }))],
    ];
    for (const [name, read] of cases) {
      const operation = catalog.find(name)!;
      for (let run = 0; run < RUNS; run++) {
        for (const { title, sku } of read(producer.produceData(operation, producer.produceRequest(operation, run)))) {
          const product = products.find((p) => title.endsWith(p.noun));
          expect(product, title).toBeDefined();
          expect(product!.materials.some((m) => title.includes(m)), title).toBe(true);
          expect(product!.values.map((v) => `;${product!.option}:${v}`).some((option) => sku.endsWith(option)), `${title} / ${sku}`).toBe(true);
        }
      }
    }
  });

  it("gives a receiver's landline the area code of the address's city in requests", () => {
    const { producer, phoneCity } = setup();
    for (const name of ["/alibaba/order/create", "/alibaba/cart/create/order"]) {
      const operation = catalog.find(name)!;
      for (let run = 0; run < RUNS; run++) {
        const request = producer.produceRequest(operation, run) as { addressParam: { phone?: string | null; cityText: string } };
        const phone = request.addressParam.phone;
        if (!phone) continue;
        expect(phoneCity.get(phone.split("-")[0]!), `${name} #${run}`).toBe(request.addressParam.cityText);
      }
    }
  });
});
