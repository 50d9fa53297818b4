import { describe, expect, it } from "vitest";
import { createProducer } from "../mock/generate/create-producer.js";
import { getCatalog } from "../schemas/catalog.js";

type Sku = { ego_item_id: string; title: string };
type Item = { skus?: { ego_sku_dto?: Sku[] } };

describe("TOP item library: the SKUs of one item are of that item", () => {
  it("share the item's id and title in taobao.pc.item.query pages (40 seeds), while items differ from each other", () => {
    const catalog = getCatalog();
    const operation = catalog.find("taobao.pc.item.query")!;
    let items = 0;
    const ids = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const producer = createProducer(catalog, { seed });
      const data = producer.produceData(operation, producer.produceRequest(operation, seed)) as { page_result: { ego_item_detail_d_t_o_list?: { ego_item_detail_dto?: Item[] } } };
      for (const item of data.page_result.ego_item_detail_d_t_o_list?.ego_item_detail_dto ?? []) {
        const skus = item.skus?.ego_sku_dto ?? [];
        if (skus.length === 0) continue;
        items += 1;
        ids.add(skus[0]!.ego_item_id);
        expect(new Set(skus.map((s) => s.ego_item_id)).size).toBe(1);
        expect(new Set(skus.map((s) => s.title)).size).toBe(1);
      }
    }
    expect(items).toBeGreaterThan(100);
    expect(ids.size).toBeGreaterThan(items * 0.9);
  });
});
