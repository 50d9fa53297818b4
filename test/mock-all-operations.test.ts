import request from "supertest";
import { describe, expect, it } from "vitest";
import { getCore } from "../mock/app.js";
import { toJsonText } from "../protocol/json-wire.js";
import { getCatalog } from "../schemas/catalog.js";
import type { Operation } from "../schemas/catalog.js";
import { DEFAULT_SCHEME, signPandapon } from "../signing/pandapon-scheme.js";
import { NOW, setupMock } from "./helpers/mock-setup.js";

const catalog = getCatalog();

/** Fills `{param}` templates of a path from the request, and returns what is left for query or body. */
function toPathAndRest(op: Operation, payload: Record<string, unknown>): { path: string; rest: Record<string, unknown> } {
  const rest = { ...payload };
  const path = op.meta.path!.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = String(rest[name] ?? "x");
    delete rest[name];
    return encodeURIComponent(value);
  });
  return { path, rest };
}

function toQuery(rest: Record<string, unknown>): string {
  return new URLSearchParams(Object.entries(rest).map(([k, v]): [string, string] => [k, typeof v === "object" ? JSON.stringify(v) : String(v)])).toString();
}

describe("every operation in the catalog answers a signed, generated request", () => {
  for (const op of catalog.operations.filter((o) => o.meta.api === "pandapon")) {
    it(`${op.meta.method} ${op.meta.name} → 200 envelope, schema-valid`, async () => {
      const { app, pandaponHeaders } = setupMock();
      const payload = JSON.parse(toJsonText(getCore(app).producer.produceRequest(op))) as Record<string, unknown>;
      const { path, rest } = toPathAndRest(op, payload);
      let res;
      if (op.meta.auth === "query-sign") {
        const headers = pandaponHeaders();
        const sign = signPandapon(DEFAULT_SCHEME, { headers: { "access-key": headers["access-key"], "nonce-str": headers["nonce-str"], timestamp: String(NOW) } }, "demo-secret-please-change").signature;
        res = await request(app).post(`${path}?timestamp=${NOW}&sign=${sign}`).set({ "access-key": headers["access-key"]!, "nonce-str": headers["nonce-str"]! }).send(rest);
      } else if (op.meta.requestIn === "body") {
        res = await request(app)[op.meta.method === "GET" ? "get" : "post"](path).set(pandaponHeaders()).send(rest);
      } else {
        const query = toQuery(rest);
        res = await request(app)[op.meta.method === "GET" ? "get" : "post"](query ? `${path}?${query}` : path).set(pandaponHeaders());
      }
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.body.code).toBe(200);
      expect(op.checkResponse(res.body)).toEqual([]);
    });
  }

  for (const op of catalog.operations.filter((o) => o.meta.api === "top")) {
    it(`${op.meta.name} → ${op.meta.name.replace(/^taobao\./, "").replace(/\./g, "_")}_response in JSON and XML`, async () => {
      const { app, topParams } = setupMock();
      const payload = getCore(app).producer.produceRequest(op) as Record<string, unknown>;
      const business = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, typeof v === "object" ? toJsonText(v) : String(v)]));
      const json = await request(app).post("/router/rest").type("form").send(new URLSearchParams(topParams(business, { method: op.meta.name })).toString());
      expect(json.body.error_response, json.text.slice(0, 300)).toBeUndefined();
      expect(op.checkResponse(json.body)).toEqual([]);
      const xml = await request(app).post("/router/rest").type("form").send(new URLSearchParams(topParams(business, { method: op.meta.name, format: "xml" })).toString());
      expect(xml.text.startsWith(`<?xml version="1.0" encoding="utf-8" ?><${op.meta.name.replace(/^taobao\./, "").replace(/\./g, "_")}_response>`)).toBe(true);
    });
  }

  it("covers every PandaPon and TOP operation file", () => {
    const served = catalog.operations.filter((o) => o.meta.api !== "callback").length;
    expect(served).toBeGreaterThanOrEqual(60);
  });
});
