import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_DIR, getCatalog } from "../schemas/catalog.js";
import { toViolations } from "../schemas/violations.js";

/**
 * Every fixture in schemas/examples/<operation file>/ states its payload and the exact violations
 * expected (none for a valid example). Documented examples are kept verbatim, placeholders and all.
 */
interface Fixture {
  description: string;
  direction: "request" | "response" | "error";
  payload: unknown;
  violations: Array<{ path: string; rule: string }>;
}

const catalog = getCatalog();
const examplesDir = join(SCHEMA_DIR, "examples");
const byStem = new Map(catalog.operations.map((op) => [op.file.replace(/^.*\//, "").replace(/\.json$/, ""), op]));

function check(stem: string, fixture: Fixture) {
  const op = byStem.get(stem);
  if (!op) throw new Error(`examples/${stem} has no operation file`);
  if (fixture.direction === "request") return op.checkRequest(structuredClone(fixture.payload));
  if (fixture.direction === "response") return op.checkResponse(fixture.payload);
  const ref = op.meta.api === "top" ? "TopErrorResponse" : "PandaponError";
  const v = catalog.getValidator(`https://pandapon-mock.dev/schemas/common/envelopes.json#/definitions/${ref}`);
  return v(fixture.payload) ? [] : toViolations(v.errors);
}

describe("documented and hand-written examples", () => {
  for (const stem of readdirSync(examplesDir).sort()) {
    for (const name of readdirSync(join(examplesDir, stem)).filter((f) => f.endsWith(".json")).sort()) {
      const fixture = JSON.parse(readFileSync(join(examplesDir, stem, name), "utf8")) as Fixture;
      it(`${stem}/${name}: ${fixture.violations.length === 0 ? "validates" : "fails exactly where expected"}`, () => {
        const found = check(stem, fixture).map((v) => ({ path: v.path, rule: v.rule }));
        expect(found).toEqual(expect.arrayContaining(fixture.violations));
        expect(found).toHaveLength(fixture.violations.length);
      });
    }
  }

  it("has a documented example or a realistic valid request for every seed operation", () => {
    for (const stem of ["alibaba-refund-info", "v2-alibaba-refund-goods-return", "taobao-pc-refund-detail"]) {
      expect(readdirSync(join(examplesDir, stem)).some((f) => f.startsWith("request.documented"))).toBe(true);
    }
  });
});
