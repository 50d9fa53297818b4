import request from "supertest";
import { describe, expect, it } from "vitest";
import { createProducer } from "../mock/generate/create-producer.js";
import { toPageCount, toPageItemCount, toPageValue } from "../mock/generate/page-arithmetic.js";
import { readTable } from "../mock/generate/tables.js";
import { fromWireValue } from "../protocol/wire-text.js";
import { toJsonText } from "../protocol/json-wire.js";
import { getCatalog } from "../schemas/catalog.js";
import type { Operation } from "../schemas/catalog.js";
import { toViolations } from "../schemas/violations.js";
import { setupMock } from "./helpers/mock-setup.js";

const catalog = getCatalog();
const OFFERS = fromWireValue(readTable("alibabaOffers")) as Array<Record<string, string>>;
const SEEDS = 25;

/** How each paged operation names its page: where the request asks, where the answer tells. */
interface Paged {
  name: string;
  /** The request's page number and size (dotted paths), and the default size. */
  number: string;
  size: string;
  defaultSize: number;
  keyword?: string;
  /** The answer's total, page count (when it has one), page number, page size and items. */
  read(data: any): { total: number; pages?: number; number: number; size: number; items: any[] };
  /** An item's title, when items have one. */
  title?: (item: any) => string;
}

const V2_PAGE = (data: any) => ({ total: data.totalRecords, pages: data.totalPage, number: data.currentPage, size: data.pageSize, items: data.data });
const PAGED: Paged[] = [
  { name: "/v2/alibaba/product/keywords/query", number: "beginPage", size: "pageSize", defaultSize: 20, keyword: "keyword", read: V2_PAGE, title: (i) => i.subject },
  { name: "/v2/alibaba/product/query/selleroffer", number: "beginPage", size: "pageSize", defaultSize: 20, keyword: "keyword", read: V2_PAGE },
  { name: "/v2/alibaba/product/image/query", number: "beginPage", size: "pageSize", defaultSize: 20, read: V2_PAGE, title: (i) => i.subject },
  {
    name: "taobao.pc.item.query",
    number: "param.current_page",
    size: "param.page_size",
    defaultSize: 20,
    read: (data: any) => {
      const result = data.page_result;
      const page = result.ego_item_detail_d_t_o_page_data;
      return { total: page.total_count, number: page.current_page, size: page.page_size, items: result.ego_item_detail_d_t_o_list.ego_item_detail_dto };
    },
  },
];

function read(value: unknown, path: string): unknown {
  return path.split(".").reduce<any>((v, k) => (v === null || typeof v !== "object" ? undefined : v[k]), value);
}

function write(value: Record<string, any>, path: string, v: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  const holder = keys.reduce<any>((o, k) => (o[k] ??= {}), value);
  if (v === undefined) delete holder[last];
  else holder[last] = v;
}

function contains(title: string, keyword: string): boolean {
  return title.toLowerCase().includes(keyword.toLowerCase());
}

/** Requests of every kind for one operation: generated ones, and pages and sizes at their edges. */
function toRequests(op: Operation, paged: Paged): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const producer = createProducer(catalog, { seed });
    const base = JSON.parse(toJsonText(producer.produceRequest(op, seed))) as Record<string, any>;
    out.push(base);
    const edits: Array<[string, unknown]> = [
      [paged.number, seed % 5 === 0 ? 40 : 1 + (seed % 4)],
      [paged.number, undefined],
      [paged.size, undefined],
    ];
    // The TOP request's page size and number are required within [1, 20] and ≥ 1: only PandaPon's take anything.
    if (!paged.name.startsWith("taobao.")) edits.push([paged.size, 0], [paged.size, -3], [paged.size, 50], [paged.size, 1000], [paged.number, 0]);
    if (paged.keyword) edits.push([paged.keyword, ["T恤", "包", "雨伞", "ZZ不存在", "t恤"][seed % 5]], [paged.keyword, undefined], [paged.keyword, "雨".repeat(65)]);
    for (const [path, value] of edits) {
      const req = structuredClone(base);
      write(req, path, value);
      out.push(req);
    }
  }
  return out;
}

describe("pages agree with their totals, and search results with their keyword", () => {
  for (const paged of PAGED) {
    const op = catalog.find(paged.name)!;
    it(`${paged.name}: page arithmetic, keyword, distinct items, schema-valid (${SEEDS} seeds × requests)`, () => {
      const validate = catalog.getValidator(`${op.id}#/definitions/Data`);
      let withItems = 0;
      let realOffers = 0;
      for (const [i, req] of toRequests(op, paged).entries()) {
        const producer = createProducer(catalog, { seed: i % 7 });
        const data = JSON.parse(toJsonText(producer.produceData(op, req)));
        const why = `request ${JSON.stringify(req)}`;
        expect(validate(data) ? [] : toViolations(validate.errors), why).toEqual([]);
        const page = paged.read(data);
        const size = toPageValue(read(req, paged.size)) ?? paged.defaultSize;
        const number = toPageValue(read(req, paged.number)) ?? 1;
        expect(page.size, why).toBe(size);
        expect(page.number, why).toBe(number);
        if (page.pages !== undefined) expect(page.pages, why).toBe(Math.ceil(page.total / size));
        expect(page.items.length, why).toBe(Math.min(size, Math.max(0, page.total - (number - 1) * size)));
        if (page.items.length > 0) withItems += 1;
        // Distinct items: no two alike, no image shown twice.
        const texts = page.items.map((item) => JSON.stringify(item));
        expect(new Set(texts).size, why).toBe(texts.length);
        if (page.items[0]?.imageUrl !== undefined) expect(new Set(page.items.map((item) => item.imageUrl)).size, why).toBe(page.items.length);
        const keyword = paged.keyword ? read(req, paged.keyword) : undefined;
        if (typeof keyword === "string" && [...keyword].length > 64) expect(page.total, why).toBe(0);
        if (paged.title && typeof keyword === "string") for (const item of page.items) expect(contains(paged.title(item), keyword), `${paged.title(item)} ${why}`).toBe(true);
        // An offer of the table shown in a search answers the search: its seller, its category, its keyword.
        for (const item of page.items) {
          const offer = OFFERS.find((o) => o.imageUrl === item.imageUrl);
          if (!offer) continue;
          realOffers += 1;
          if (paged.title) expect(offer.subject).toBe(paged.title(item));
          if (typeof keyword === "string") expect(contains(offer.subject!, keyword), why).toBe(true);
          if (req.sellerOpenId) expect(offer.sellerOpenId, why).toBe(req.sellerOpenId);
          if (req.categoryId !== undefined && req.categoryId !== null) expect(offer.categoryId, why).toBe(String(req.categoryId));
        }
      }
      expect(withItems).toBeGreaterThan(SEEDS);
      if (paged.name !== "taobao.pc.item.query") expect(realOffers).toBeGreaterThan(0);
    });
  }

  it("the offers of a search come first, in table order, and the pages of one search do not repeat them", () => {
    const op = catalog.find("/v2/alibaba/product/keywords/query")!;
    const producer = createProducer(catalog, { seed: 1 });
    const shown = [1, 2, 3].flatMap((beginPage) => (producer.produceData(op, { keyword: "枕", beginPage, pageSize: 1 }) as any).data.map((i: any) => i.subject));
    const offers = OFFERS.filter((o) => o.subject!.includes("枕")).map((o) => o.subject);
    expect(offers.length).toBe(2);
    expect(shown.slice(0, 2)).toEqual(offers);
    expect(shown[2]).toContain("枕");
    expect(offers).not.toContain(shown[2]);
  });

  it("a seller's shop search shows that seller's offers of the keyword, and made-up ones after them", () => {
    const op = catalog.find("/v2/alibaba/product/query/selleroffer")!;
    const seller = OFFERS.find((o) => o.subject!.includes("手机壳"))!.sellerOpenId;
    const data = createProducer(catalog, { seed: 2 }).produceData(op, { keyword: "手机壳", sellerOpenId: seller, beginPage: 1, pageSize: 3 }) as any;
    const own = OFFERS.filter((o) => o.sellerOpenId === seller && o.subject!.includes("手机壳"));
    expect(own).toHaveLength(1);
    if (data.totalRecords >= 3) {
      expect(data.data).toHaveLength(3);
      expect(data.data[0].imageUrl).toBe(own[0]!.imageUrl);
      for (const item of data.data.slice(1)) expect(OFFERS.map((o) => o.imageUrl)).not.toContain(item.imageUrl);
    }
  });

  it("page arithmetic: ceil pages, a short last page, an empty page beyond it, whole numbers ≥ 1 only", () => {
    expect(toPageCount(0, 20)).toBe(0);
    expect(toPageCount(221, 20)).toBe(12);
    expect(toPageCount(220, 20)).toBe(11);
    expect(toPageItemCount(221, 20, 11)).toBe(20);
    expect(toPageItemCount(221, 20, 12)).toBe(1);
    expect(toPageItemCount(221, 20, 13)).toBe(0);
    expect(toPageItemCount(0, 20, 1)).toBe(0);
    expect([toPageValue(3), toPageValue("7"), toPageValue(0), toPageValue(-1), toPageValue(2.5), toPageValue("x"), toPageValue(null), toPageValue(2 ** 60)]).toEqual([3, 7, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it("over HTTP: a keyword search answers a page of its keyword, sized as asked", async () => {
    const { app, pandaponHeaders } = setupMock();
    const res = await request(app).post("/v2/alibaba/product/keywords/query").set(pandaponHeaders()).send({ keyword: "雨伞", beginPage: 1, pageSize: 7, country: "en" });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.pageSize).toBe(7);
    expect(data.currentPage).toBe(1);
    expect(data.totalPage).toBe(Math.ceil(data.totalRecords / 7));
    expect(data.data).toHaveLength(Math.min(7, data.totalRecords));
    for (const item of data.data) expect(item.subject).toContain("雨伞");
  });
});

describe("over HTTP, TOP", () => {
  it("taobao.pc.item.query: a page beyond the last is empty, in JSON and in XML", async () => {
    const { app, topParams } = setupMock();
    const param = JSON.stringify({ project_id: "12345678", page_size: 20, current_page: 16, service_id: 2201002, service_nick: "华东采购服务中心" });
    const send = (format: string) =>
      request(app).post("/router/rest").type("form").send(new URLSearchParams(topParams({ param }, { method: "taobao.pc.item.query", format })).toString());
    const json = await send("json");
    expect(json.status).toBe(200);
    const result = json.body.pc_item_query_response.page_result;
    expect(result.ego_item_detail_d_t_o_page_data).toMatchObject({ current_page: 16, page_size: 20 });
    expect(result.ego_item_detail_d_t_o_page_data.total_count).toBeLessThanOrEqual(300);
    expect(result.ego_item_detail_d_t_o_list.ego_item_detail_dto ?? []).toEqual([]);
    const xml = await send("xml");
    expect(xml.status).toBe(200);
    expect(xml.text).toContain("<current_page>16</current_page>");
    expect(xml.text).not.toContain("<ego_item_detail_dto>");
  });
});

describe("a large page costs little", () => {
  it("50 items of a keyword search are generated in a few ms", () => {
    const op = catalog.find("/v2/alibaba/product/keywords/query")!;
    const top = catalog.find("taobao.pc.item.query")!;
    const producer = createProducer(catalog, { seed: 1 });
    const run = (n: number) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        producer.produceAnswer(op, { keyword: "雨伞", beginPage: 1 + (i % 3), pageSize: 50, outMemberId: String(i) }, "json");
        producer.produceAnswer(top, { param: { page_size: 20, current_page: 1, project_id: String(i) } }, "json");
      }
      return (performance.now() - started) / n;
    };
    run(50);
    // Typically well under 1 ms a pair; the bound allows a loaded, shared machine.
    expect(run(200)).toBeLessThan(15);
  });
});
