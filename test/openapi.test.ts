import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../config/package-root.js";
import { getCatalog } from "../schemas/catalog.js";
import { toOpenApi } from "../schemas/to-openapi.js";

type Doc = { paths: Record<string, Record<string, any>>; components: { parameters: Record<string, any> } };

function setup() {
  const catalog = getCatalog();
  return { catalog, doc: toOpenApi(catalog) as unknown as Doc };
}

function findKeys(value: unknown, test: (key: string, v: unknown) => boolean, path = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [...(test(k, v) ? [`${path}/${k}`] : []), ...findKeys(v, test, `${path}/${k}`)]);
}

describe("the OpenAPI export", () => {
  it("has every PandaPon path and alias, with its method", () => {
    const { catalog, doc } = setup();
    const expected = catalog.operations
      .filter((o) => o.meta.api === "pandapon")
      .flatMap((o) => [o.meta.path!, ...(o.meta.aliases ?? [])].map((p) => `${(o.meta.method ?? "POST").toLowerCase()} ${p}`));
    const found = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    expect(found.sort()).toEqual(expected.sort());
  });

  it("leaves no x-* keyword and no $ref outside components", () => {
    const { doc } = setup();
    expect(findKeys(doc, (k) => k.startsWith("x-"))).toEqual([]);
    expect(findKeys(doc, (k, v) => k === "$ref" && !String(v).startsWith("#/components/"))).toEqual([]);
  });

  it("puts bodies, query and path parameters, system headers and warehouse signatures where they travel", () => {
    const { doc } = setup();
    const info = doc.paths["/alibaba/refund/info"]!.post;
    expect(info.requestBody.content["application/json"].schema.required).toEqual(["refundId"]);
    expect(info.parameters.map((p: { $ref?: string }) => p.$ref)).toContain("#/components/parameters/Signature");
    expect(info.responses["200"].content["application/json"].schema.properties.data.properties.orderId).toMatchObject({ type: "integer", nullable: true });
    const query = doc.paths["/open/order/refund/query"]!.get;
    expect(query.requestBody).toBeUndefined();
    expect(query.parameters).toContainEqual(expect.objectContaining({ name: "refundId", in: "query", required: true }));
    const cancel = doc.paths["/open/order/refund/cancel/{refundId}"]!.get;
    expect(cancel.parameters).toContainEqual(expect.objectContaining({ name: "refundId", in: "path", required: true }));
    const freight = doc.paths["/open/pp/logistics/orderRenderFreight"]!.post;
    expect(freight.parameters.map((p: { $ref?: string }) => p.$ref)).toEqual(["#/components/parameters/QueryTimestamp", "#/components/parameters/QuerySign"]);
    expect(doc.components.parameters.NonceStr).toMatchObject({ name: "nonce-str", in: "header", required: false });
  });

  it("is printed by `pandapon-mock openapi`", () => {
    const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, "dist/cli/pandapon-mock.js"), "openapi", "--only", "/alibaba/refund/info"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout) as Doc;
    expect(Object.keys(printed.paths)).toEqual(["/alibaba/refund/info"]);
  });
});
