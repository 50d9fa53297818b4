import { describe, expect, it } from "vitest";
import { createRandomizer } from "../mock/generate/randomizer.js";
import { compileExpression } from "../mock/state/compile-expression.js";
import type { ExpressionScope } from "../mock/state/expression-scope.js";
import { readTime } from "../mock/state/entity-time.js";

/** 2025-05-14 20:00:00 China time. */
const NOW = Date.UTC(2025, 4, 14, 12, 0, 0);

function setup(overrides: Partial<ExpressionScope> = {}): ExpressionScope {
  return {
    fields: { applyPayment: 500, refundPayment: 0, gmtApply: "2025-05-10 08:00:00", gmtCompleted: null, orderEntryIdList: "[2542285634920880795,7]", reasonId: 20025 },
    input: { logisticsCompanyNo: "ZTO", orderEntryIds: [2542285634920880795n], list: [{ id: 1, count: 2 }, { id: 3, count: 4 }] },
    vars: { id: "TQ1", reason: { id: 40004, text: "买家要求的退款金额超出约定" } },
    item: null,
    before: "waitselleragree",
    after: "waitbuyersend",
    now: NOW,
    timers: [{ action: "timeout-close", at: NOW + 86_400_000 }, { action: "later", at: NOW + 2 * 86_400_000 }],
    random: createRandomizer(42).next,
    rows: new Map(),
    kind: undefined,
    ...overrides,
  };
}

const evaluate = (expression: unknown, scope = setup()) => compileExpression(expression, "test")(scope);

/** [expression, value it has in setup()'s scope]. */
const CASES: Array<[unknown, unknown]> = [
  ["text", "text"],
  [[1, { field: "applyPayment" }], [1, 500]],
  [{ const: { a: [1] } }, { a: [1] }],
  [{ field: "missing.member" }, null],
  [{ input: "logisticsCompanyNo" }, "ZTO"],
  [{ var: "reason.text" }, "买家要求的退款金额超出约定"],
  [{ get: { parse: { field: "orderEntryIdList" } }, path: "0" }, 2542285634920880795n],
  [{ state: "before" }, "waitselleragree"],
  [{ state: "after" }, "waitbuyersend"],
  [{ now: "datetime" }, "2025-05-14 20:00:00"],
  [{ now: "date" }, "2025-05-14"],
  [{ now: "yyyyMMdd" }, "20250514"],
  [{ now: "epoch-ms" }, NOW],
  [{ deadline: "datetime" }, "2025-05-15 20:00:00"],
  [{ time: { field: "gmtApply" }, format: "yyyyMMdd", add: 86_400 }, "20250511"],
  [{ time: "20250241", format: "date" }, null],
  [{ lookup: "carriers", where: { code: { input: "logisticsCompanyNo" } }, column: "name" }, "中通快递"],
  [{ lookup: "carriers", where: { code: "NOPE" }, column: "name" }, null],
  [{ sum: [{ field: "applyPayment" }, null, 20] }, 520],
  [{ diff: [{ field: "applyPayment" }, 120] }, 380],
  [{ product: [3, 4] }, 12],
  [{ min: [null, 5, 2] }, 2],
  [{ max: [null, null] }, null],
  [{ concat: ["a", null, 1, { input: "orderEntryIds.0" }] }, "a12542285634920880795"],
  [{ slice: ["20250514xyz", 0, 8] }, "20250514"],
  [{ split: ["0571-88886666", "-", 0] }, "0571"],
  [{ digits: "TQ86514937229611980" }, 86514937229611980n],
  [{ digits: "TQ8651493722961198" }, 8651493722961198],
  [{ json: { input: "orderEntryIds" } }, "[2542285634920880795]"],
  [{ json: null }, null],
  [{ parse: "not json" }, null],
  [{ keys: { const: { b: 1, a: 2 } } }, ["b", "a"]],
  [{ length: { input: "list" } }, 2],
  [{ map: { input: "list" }, to: { item: "count" } }, [2, 4]],
  [{ object: { input: "list" }, key: { item: "id" }, value: { item: "count" } }, { 1: 2, 3: 4 }],
  [{ make: { a: { field: "applyPayment" }, b: null, c: [1] } }, { a: 500, c: [1] }],
  [{ merge: [{ const: { a: 1, b: 2 } }, { make: { b: 3 } }, null] }, { a: 1, b: 3 }],
  [{ filter: { input: "list" }, where: { gt: [{ item: "count" }, 2] } }, [{ id: 3, count: 4 }]],
  [{ flat: [[1, 2], 3, null, { const: [4] }] }, [1, 2, 3, 4]],
  [{ map: { rows: "refundSubReasons", where: { reasonId: 20025 } }, to: { item: "id" } }, [30101, 30102]],
  [{ pick: { const: [] } }, null],
  [{ sum: { map: { input: "list" }, to: { product: [{ item: "id" }, { item: "count" }] } } }, 14],
  [{ var: "id" }, "TQ1"],
  [{ if: { field: "refundPayment" }, then: "paid", else: "unpaid" }, "unpaid"],
  [{ eq: [{ input: "orderEntryIds.0" }, { get: { parse: { field: "orderEntryIdList" } }, path: "0" }] }, true],
  [{ eq: [7, 7n] }, true],
  [{ eq: [null, { field: "missing" }] }, true],
  [{ ne: ["1", 1] }, true],
  [{ lt: [{ field: "gmtApply" }, { now: "datetime" }] }, true],
  [{ gte: [null, 0] }, false],
  [{ lte: ["1", 2] }, false],
  [{ in: [{ field: "reasonId" }, [20021, 20025]] }, true],
  [{ and: [true, 1, "x"] }, true],
  [{ or: [false, 0, "", null] }, false],
  [{ not: 0 }, true],
  [{ implies: [false, false] }, true],
  [{ iff: [{ isSet: { field: "gmtCompleted" } }, { inState: ["refundsuccess"] }] }, true],
  [{ inState: ["waitbuyersend"] }, true],
  [{ ordered: [{ field: "gmtApply" }, { field: "gmtCompleted" }, { now: "datetime" }] }, true],
  [{ ordered: [3, 1] }, false],
  [{ subset: [{ keys: { const: { "2542285634920880795": 1 } } }, { parse: { field: "orderEntryIdList" } }] }, true],
  [{ subset: [[8], { parse: { field: "orderEntryIdList" } }] }, false],
  [{ includes: ["浙江省杭州市余杭区", "杭州市"] }, true],
];

describe("lifecycle expressions", () => {
  for (const [expression, value] of CASES) {
    it(`${JSON.stringify(expression, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))} is ${String(value)}`, () => {
      expect(evaluate(expression)).toEqual(value);
    });
  }

  it("draws seeded values: the same seed gives the same row, chance and generated value", () => {
    const draw = () => {
      const scope = setup({ random: createRandomizer(9).next });
      return [
        evaluate({ pickRow: "refundSubReasons", where: { reasonId: { field: "reasonId" } } }, scope),
        evaluate({ chance: 0.5 }, scope),
        evaluate({ generate: { gen: "fen", min: 1, lte: "applyPayment" }, as: "integer" }, scope),
        evaluate({ pick: { input: "list" } }, scope),
      ];
    };
    const [row, , amount, item] = draw();
    expect(draw()).toEqual(draw());
    expect(row).toMatchObject({ reasonId: 20025 });
    expect(amount).toBeGreaterThanOrEqual(1);
    expect(amount).toBeLessThanOrEqual(500);
    expect([1, 3]).toContain((item as { id: number }).id);
  });

  it("shares one address row between the generated values of one action", () => {
    const scope = setup();
    const address = evaluate({ generate: "address.full" }, scope) as string;
    const landline = evaluate({ generate: "phone.landline" }, scope) as string;
    const city = evaluate({ lookup: "addresses", where: { phoneCode: { split: [landline, "-", 0] } }, column: "city" }, scope) as string;
    expect(address).toContain(city);
  });

  it("generates times before the action's time", () => {
    for (let seed = 0; seed < 50; seed++) {
      const time = evaluate({ generate: { gen: "datetime", daysAgo: 20 } }, setup({ random: createRandomizer(seed).next }));
      expect(readTime(time)!).toBeLessThan(NOW);
    }
  });

  it("refuses a malformed expression when it compiles, naming where it is", () => {
    expect(() => compileExpression({ eq: [1] }, "actions.x.set.y")).toThrow(/actions\.x\.set\.y\.eq: expected a list of 2 expressions/);
    expect(() => compileExpression({ field: "a", input: "b" }, "here")).toThrow(/here: expected one operator, found field, input/);
    expect(() => compileExpression({ generate: { gen: "pick", values: [1], nullRate: 0.5 } }, "there")).toThrow(/"nullRate".*chance/);
  });
});
