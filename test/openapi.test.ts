import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { PANDAPON_ERRORS } from "../protocol/pandapon-error-table.js";
import { getCatalog } from "../schemas/catalog.js";
import { toOpenApi } from "../schemas/to-openapi.js";
import { setupMock } from "./helpers/mock-setup.js";

type Doc = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any>; examples: Record<string, any> };
};

const CLI = join(PACKAGE_ROOT, "dist/cli/pandapon-mock.js");
const REDOCLY = join(PACKAGE_ROOT, "node_modules/@redocly/cli/bin/cli.js");
/** Errors of the table a matched operation never answers: they concern other paths or methods. */
const ROUTE_ERRORS = ["UNKNOWN_OPERATION", "METHOD_NOT_ALLOWED"];
const ACTION_ERRORS = ["NOT_ALLOWED_IN_STATE", "BUSINESS_RULE_BROKEN"];
const HEADER_SIGNED = [
  { AccessKey: [], Timestamp: [], NonceStr: [], UserId: [], Signature: [] },
  { AccessKey: [], Timestamp: [], UserId: [], Signature: [] },
];

function setup() {
  const catalog = getCatalog();
  return { catalog, doc: toOpenApi(catalog) as unknown as Doc };
}

function findKeys(value: unknown, test: (key: string, v: unknown) => boolean, path = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [...(test(k, v) ? [`${path}/${k}`] : []), ...findKeys(v, test, `${path}/${k}`)]);
}

/** The error names an operation's answers list, by status, read through the example $refs. */
function toErrorNames(operation: { responses: Record<string, any> }): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(operation.responses)
      .filter(([status]) => status !== "200")
      .map(([status, response]) => [status, Object.values(response.content["application/json"].examples).map((e: any) => String(e.$ref).split("/").pop()!)]),
  );
}

/** redocly prints one JSON document per linted file, back to back: split them. */
function readJsonSequence(text: string): any[] {
  const values: any[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === "}") {
      depth -= 1;
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
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

  it("leaves no x-* keyword but x-assumed, no $ref outside components and no nullable without a type", () => {
    const { doc } = setup();
    expect(findKeys(doc, (k) => k.startsWith("x-") && k !== "x-assumed")).toEqual([]);
    expect(findKeys(doc, (k, v) => k === "$ref" && !String(v).startsWith("#/components/"))).toEqual([]);
    const untyped = findKeys(doc, (k, v) => k === "properties" && v !== null && typeof v === "object" && Object.values(v).some((p: any) => p?.nullable && !p.type));
    expect(untyped).toEqual([]);
  });

  it("writes a member typed null as a nullable type that admits only null, and a union with null as nullable branches", () => {
    const { doc } = setup();
    const error = doc.components.schemas.PandaponError.properties;
    expect(error.data).toMatchObject({ nullable: true, enum: [null] });
    expect(error.data.type).toBeTypeOf("string");
    expect(error.developId.anyOf).toEqual([
      { type: "string", nullable: true },
      { type: "integer", nullable: true },
    ]);
  });

  it("puts bodies, query and path parameters where they travel, and the signature as security, not parameters", () => {
    const { doc } = setup();
    const info = doc.paths["/alibaba/refund/info"]!.post;
    expect(info.requestBody.content["application/json"].schema.required).toEqual(["refundId"]);
    expect(info.responses["200"].content["application/json"].schema.properties.data.properties.orderId).toMatchObject({ type: "integer", nullable: true });
    expect(info.security).toEqual(HEADER_SIGNED);
    expect(info.parameters).toBeUndefined();
    const query = doc.paths["/open/order/refund/query"]!.get;
    expect(query.requestBody).toBeUndefined();
    expect(query.parameters).toEqual([expect.objectContaining({ name: "refundId", in: "query", required: true })]);
    const cancel = doc.paths["/open/order/refund/cancel/{refundId}"]!.get;
    expect(cancel.parameters).toContainEqual(expect.objectContaining({ name: "refundId", in: "path", required: true }));
    const freight = doc.paths["/open/pp/logistics/orderRenderFreight"]!.post;
    expect(freight.security).toEqual([{ QueryTimestamp: [], QuerySign: [] }]);
    expect(findKeys(doc.paths, (k, v) => k === "in" && v === "header")).toEqual([]);
  });

  it("marks an assumed answer with x-assumed and a sentence, on the operation and on its data schema, and no other", () => {
    const { catalog, doc } = setup();
    const create = doc.paths["/alibaba/order/create"]!.post;
    const why = catalog.find("/alibaba/order/create")!.assumed!;
    expect(why).toMatch(/not document/);
    expect(create["x-assumed"]).toBe(why);
    expect(create.description).toContain(`The answer's data is assumed, not documented: ${why}`);
    const data = create.responses["200"].content["application/json"].schema.properties.data;
    expect(data["x-assumed"]).toBe(why);
    expect(data.description).toMatch(/^Assumed, not documented: /);
    expect(data.required).toEqual(["orderId"]);
    expect(data.properties.orderId).toMatchObject({ type: "string", pattern: "^\\d+$" });
    const marked = findKeys(doc.paths, (k) => k === "x-assumed");
    expect(marked).toEqual([
      "//alibaba/order/create/post/x-assumed",
      "//alibaba/order/create/post/responses/200/content/application/json/schema/properties/data/x-assumed",
    ]);
    expect(doc.paths["/alibaba/refund/info"]!.post["x-assumed"]).toBeUndefined();
  });

  it("models the system headers and the warehouse query signature as apiKey security schemes", () => {
    const { doc } = setup();
    const schemes = Object.values(doc.components.securitySchemes).map(({ type, in: where, name }) => `${type} ${where} ${name}`);
    expect(schemes.sort()).toEqual(
      ["apiKey header access-key", "apiKey header timestamp", "apiKey header nonce-str", "apiKey header user-id", "apiKey header signature", "apiKey query timestamp", "apiKey query sign"].sort(),
    );
    expect(doc.components.securitySchemes.Signature.description).toMatch(/not documented/);
    expect(doc.components.securitySchemes.NonceStr.description).toMatch(/32/);
  });

  it("lists every error of the mock's table an operation can answer, by status, in the envelope with data null", () => {
    const { doc } = setup();
    const body = toErrorNames(doc.paths["/alibaba/refund/info"]!.post);
    // A view of an entity (stateful): its store may be busy, but it takes no action to refuse.
    const expected = Object.keys(PANDAPON_ERRORS).filter((name) => !ROUTE_ERRORS.includes(name) && !ACTION_ERRORS.includes(name));
    expect(Object.values(body).flat().sort()).toEqual(expected.sort());
    // An operation that moves entities can be refused; one that neither shows nor moves any, neither.
    expect(Object.values(toErrorNames(doc.paths["/v2/alibaba/refund/goods/return"]!.post)).flat()).toEqual(expect.arrayContaining(ACTION_ERRORS));
    expect(Object.values(toErrorNames(doc.paths["/alibaba/product/detail/get"]!.post)).flat()).not.toContain("STATE_UNAVAILABLE");
    for (const [status, names] of Object.entries(body)) {
      for (const name of names) {
        const entry = PANDAPON_ERRORS[name as keyof typeof PANDAPON_ERRORS];
        expect(String(entry.status), name).toBe(status);
        expect(doc.components.examples[name].value).toEqual({ requestId: null, code: entry.code, developId: null, msg: expect.any(String), data: null });
      }
    }
    expect(doc.paths["/alibaba/refund/info"]!.post.responses["401"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/PandaponError" });
    // No body: no malformed JSON, no wrong content type, no body over the limit.
    const query = toErrorNames(doc.paths["/open/order/refund/query"]!.get);
    expect(Object.values(query).flat()).not.toContain("BAD_JSON");
    expect(Object.keys(query)).not.toContain("415");
    expect(Object.keys(query)).toContain("400");
    // No parameters to break: no 400 at all.
    expect(Object.keys(toErrorNames(doc.paths["/v2/alibaba/cart/list"]!.get))).not.toContain("400");
  });

  it("documents the statuses and shapes the mock really answers", async () => {
    const { doc } = setup();
    const { app, pandaponHeaders } = setupMock();
    const documented = doc.paths["/alibaba/refund/info"]!.post.responses;
    const answers = [
      await request(app).post("/alibaba/refund/info").send({ refundId: "TQ1" }),
      await request(app).post("/alibaba/refund/info").set(pandaponHeaders()).set("content-type", "application/json").send("{"),
      await request(app).post("/alibaba/refund/info").set(pandaponHeaders()).set("content-type", "text/plain").send("refundId=1"),
      await request(app).post("/alibaba/refund/info").set(pandaponHeaders({ "access-key": "nobody" })).send({ refundId: "TQ1" }),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 400, 415, 403]);
    for (const answer of answers) {
      const examples = Object.values(documented[String(answer.status)].content["application/json"].examples).map((e: any) => doc.components.examples[String(e.$ref).split("/").pop()!].value);
      expect(examples.map((e) => e.code)).toContain(answer.body.code);
      expect(Object.keys(answer.body).sort()).toEqual(Object.keys(examples[0]).sort());
    }
  });

  it("lints clean with redocly's recommended rules, whole and in --only subsets", () => {
    const { catalog } = setup();
    const subsets = [
      undefined,
      ["/alibaba/refund/info"],
      ["/open/pp/logistics/updateLogisticInfo"],
      ["/open/order/refund/cancel/{refundId}", "/open/address/addOrUpdate", "/v2/alibaba/cart/list"],
      ["/alibaba/order/create"],
    ];
    const dir = mkdtempSync(join(tmpdir(), "pandapon-openapi-"));
    try {
      const files = subsets.map((names, i) => {
        const file = join(dir, `openapi-${i}.json`);
        writeFileSync(file, JSON.stringify(toOpenApi(catalog, names), null, 2));
        return file;
      });
      const run = spawnSync(process.execPath, [REDOCLY, "lint", "--config", join(PACKAGE_ROOT, "redocly.yaml"), "--format", "json", "--max-problems", "10000", ...files], {
        encoding: "utf8",
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        timeout: 60_000,
      });
      const reports = readJsonSequence(run.stdout);
      expect(reports, run.stderr).toHaveLength(files.length);
      const problems = reports.flatMap((r) =>
        r.problems.map((p: any) => `${p.severity} ${p.ruleId} ${p.location[0]?.source.ref.split("/").pop()}${p.location[0]?.pointer}: ${p.message}`),
      ) as string[];
      const warnings = problems.filter((p) => p.startsWith("warn"));
      if (warnings.length > 0) console.warn(`redocly lint warnings:\n${warnings.join("\n")}`);
      expect(problems.filter((p) => p.startsWith("error"))).toEqual([]);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is printed by `pandapon-mock openapi`", () => {
    const run = spawnSync(process.execPath, [CLI, "openapi", "--only", "/alibaba/refund/info"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout) as Doc;
    expect(Object.keys(printed.paths)).toEqual(["/alibaba/refund/info"]);
  });

  it("refuses an unknown --only name with exit code 2 and a message, not a stack trace", () => {
    const run = spawnSync(process.execPath, [CLI, "openapi", "--only", "/no/such/path"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Failed to export "/no/such/path" to OpenAPI');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
