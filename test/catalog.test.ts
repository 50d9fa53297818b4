import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { SCHEMA_DIR, getCatalog, loadCatalog } from "../schemas/catalog.js";

function setupSchemaDir(mutate: (schema: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "schemas-"));
  mkdirSync(join(dir, "pandapon"));
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "pandapon/alibaba-refund-info.json"), "utf8"));
  mutate(schema);
  writeFileSync(join(dir, "pandapon/alibaba-refund-info.json"), JSON.stringify(schema));
  return dir;
}

describe("the catalog", () => {
  it("passes every schema file against the metaschema, x-* annotations included", () => {
    expect(() => getCatalog().checkAllFiles()).not.toThrow();
  });

  it("names the file and the problem of a malformed x-mock when its operation is first used", () => {
    const dir = setupSchemaDir((s) => {
      s.definitions.Data.properties.orderId["x-mock"] = { gen: "no-such-generator" };
    });
    const catalog = loadCatalog(dir);
    expect(() => catalog.find("/alibaba/refund/info")!.checkRequest({ refundId: "TQ1" })).toThrow(/Failed to load schema "pandapon\/alibaba-refund-info.json":.*x-mock/);
  });

  it("checks another directory's files on first use, and trusts the package's own (checked by the test above)", () => {
    const custom = loadCatalog(setupSchemaDir(() => {}));
    const checks = vi.spyOn(custom.ajv, "validateSchema");
    expect(custom.find("/alibaba/refund/info")!.checkRequest({ refundId: "TQ1" })).toEqual([]);
    expect(checks).toHaveBeenCalled();
    const own = loadCatalog();
    const ownChecks = vi.spyOn(own.ajv, "validateSchema");
    expect(own.find("/alibaba/refund/info")!.checkRequest({ refundId: "TQ1" })).toEqual([]);
    expect(ownChecks).not.toHaveBeenCalled();
  });

  it("reads a schema by its absolute reference, and resolves a $ref to the same schema", () => {
    const catalog = getCatalog();
    const info = catalog.find("/alibaba/refund/info")!;
    const data = catalog.getSchema(`${info.id}#/definitions/Data`);
    expect(data).toBe(info.data);
    expect(catalog.getSchema(info.id)).toBe(info.schema);
    expect(catalog.resolveRef({ $ref: "#/definitions/Data" }, info.id)).toEqual({ schema: data, base: info.id });
    expect(catalog.getSchema(`${info.id}#/definitions/NoSuchThing`)).toBeUndefined();
    expect(catalog.getSchema("https://pandapon-mock.dev/schemas/no-such-file.json")).toBeUndefined();
  });

  it("reads why an answer is assumed from Data's x-assumed, and refuses x-assumed anywhere else", () => {
    expect(getCatalog().find("/alibaba/order/create")!.assumed).toMatch(/^PandaPon does not document this answer/);
    expect(getCatalog().find("/alibaba/refund/info")!.assumed).toBeUndefined();
    const assumed = loadCatalog(setupSchemaDir((s) => {
      s.definitions.Data["x-assumed"] = "the page shows no answer";
    }));
    expect(assumed.find("/alibaba/refund/info")!.assumed).toBe("the page shows no answer");
    expect(() => assumed.checkAllFiles()).not.toThrow();
    const misplaced = setupSchemaDir((s) => {
      s.definitions.Data.properties.orderId["x-assumed"] = "a guess";
    });
    expect(() => loadCatalog(misplaced).checkAllFiles()).toThrow(/orderId\/x-assumed belongs on \/definitions\/Data/);
  });

  it("refuses an x-operation block without its required members", () => {
    const dir = setupSchemaDir((s) => {
      delete s["x-operation"].coverage;
    });
    expect(() => loadCatalog(dir).checkAllFiles()).toThrow(/coverage/);
  });

  it("routes exact paths, templated paths and aliases, and leaves a malformed escape as sent", () => {
    const catalog = getCatalog();
    expect(catalog.matchRoute("POST", "/alibaba/refund/info")?.operation.meta.name).toBe("/alibaba/refund/info");
    expect(catalog.matchRoute("GET", "/open/order/refund/cancel/TQ%20123")?.pathParams).toEqual({ refundId: "TQ 123" });
    expect(catalog.matchRoute("GET", "/open/order/refund/cancel/%ZZ")?.pathParams).toEqual({ refundId: "%ZZ" });
    expect(catalog.matchRoute("POST", "/v2/alibaba/refund/detail/create")?.operation.meta.name).toBe("/alibaba/refund/detail/create");
    expect(catalog.matchRoute("GET", "/alibaba/refund/info")).toBeUndefined();
  });
});
