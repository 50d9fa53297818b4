import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopClient } from "../client/create-top-client.js";
import { getCore } from "../mock/app.js";
import { DEMO_TOP } from "../protocol/demo.js";
import { getCatalog } from "../schemas/catalog.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

const catalog = getCatalog();
let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock();
});
afterAll(() => mock.stop());

/** The business refusals a stateful answer may be instead of a 200 (a generated request may name an entity in the wrong state). */
const PANDAPON_REFUSALS = [40003, 40901];

describe("stateful: every operation that shows or moves entities answers generated requests schema-valid or with a business refusal", () => {
  it("wires some operations of each API", () => {
    const names = catalog.operations.filter((op) => mock.state.wires(op.meta.name)).map((op) => op.meta.api);
    expect(names).toContain("pandapon");
    expect(names).toContain("top");
  });
  for (const op of catalog.operations) {
    it(`${op.meta.name}`, async () => {
      if (!mock.state.wires(op.meta.name)) return;
      const producer = getCore(mock.app).producer;
      for (let variant = 0; variant < 3; variant++) {
        const payload = producer.produceRequest(op, variant) as Record<string, unknown>;
        if (op.meta.api === "pandapon") {
          const answer = await mock.pandapon.call(op.meta.name, payload);
          const code = (answer.envelope as { code: number }).code;
          if (answer.status === 200) {
            expect(code, answer.rawBody.slice(0, 300)).toBe(200);
            expect(answer.violations.filter((v) => v.severity !== "warning"), answer.rawBody.slice(0, 500)).toEqual([]);
          } else {
            expect(PANDAPON_REFUSALS, answer.rawBody.slice(0, 300)).toContain(code);
          }
        } else {
          for (const format of ["json", "xml"] as const) {
            const top = createTopClient({ gateway: mock.url, ...DEMO_TOP, format, retries: 0 });
            const answer = await top.call(op.meta.name, payload);
            const error = (answer.envelope as { error_response?: { code: number; sub_code: string } }).error_response;
            if (error) expect([error.code, error.sub_code.split(".")[0]], answer.rawBody.slice(0, 300)).toEqual([15, "isv"]);
            else expect(answer.violations.filter((v) => v.severity !== "warning"), answer.rawBody.slice(0, 500)).toEqual([]);
          }
        }
      }
    });
  }
});
