import fc from "fast-check";
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

describe("stateful: hostile payloads on the operations that show or move entities", () => {
  it("never answer 5xx nor crash, whatever members, types and ids the payload holds (seeded), and the TOP ones likewise", async () => {
    const pandapon = catalog.operations.filter((op) => op.meta.api === "pandapon" && mock.state.wires(op.meta.name));
    const top = catalog.operations.filter((op) => op.meta.api === "top" && mock.state.wires(op.meta.name));
    const value = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      fc.string({ maxLength: 80 }),
      fc.constantFrom("TQ12345678901234567", "2542285634920880794", "0", "-1", "1100123", "", "1e400"),
      fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 20 })), { maxLength: 4 }),
    );
    const producer = getCore(mock.app).producer;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 4 }), fc.nat(), async (pick, extra, variant) => {
        const op = [...pandapon, ...top][pick % (pandapon.length + top.length)]!;
        const generated = producer.produceRequest(op, variant % 4) as Record<string, unknown>;
        // The generated request with members replaced or added at random, ids among them.
        const payload = { ...generated, ...Object.fromEntries(Object.keys(generated).slice(0, 2).map((k, i) => [k, Object.values(extra)[i] ?? generated[k]])), ...extra };
        const answer = op.meta.api === "pandapon" ? await mock.pandapon.call(op.meta.name, payload) : await mock.top.call(op.meta.name, payload);
        expect(answer.status, `${op.meta.name}: ${answer.rawBody.slice(0, 300)}`).toBeLessThan(500);
        // A fault of the mock answers TOP's isp.unknown-error (HTTP 200): never here either.
        expect(answer.rawBody, op.meta.name).not.toMatch(/isp\.unknown-error/);
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });
});
