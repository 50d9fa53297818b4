import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { getCore } from "../mock/app.js";
import type { MockApp } from "../mock/app.js";
import { SCHEMA_DIR, loadCatalog } from "../schemas/catalog.js";
import { setupMock } from "./helpers/mock-setup.js";

const REQ = { refund_detail_order_req: JSON.stringify({ dispute_id: "10000001", buyer_id: 10000001 }) };
const FORMATS = ["xml", "json"] as const;

/** A mock (answers validated, log kept) whose producer counts the answers it generates and can be made to fail. */
function setup(options: Parameters<typeof setupMock>[0] = {}, catalog?: Parameters<typeof setupMock>[1]) {
  const log: string[] = [];
  const mock = setupMock({ log: (line) => log.push(line), ...options }, catalog);
  const producer = getCore(mock.app).producer as unknown as Record<string, unknown>;
  let generated = 0;
  let failing = false;
  // Every way of producing an answer's data is counted (whatever the producer calls it); requests are not answers.
  for (const [name, method] of Object.entries(producer)) {
    if (typeof method !== "function" || name === "produceRequest") continue;
    producer[name] = (...args: unknown[]) => {
      generated += 1;
      if (failing) throw new Error("a fault of the mock, for the test");
      return (method as (...a: unknown[]) => unknown)(...args);
    };
  }
  const ask = (format: "xml" | "json") => request(mock.app).post("/router/rest").type("form").send(new URLSearchParams(mock.topParams(REQ, { format })).toString());
  return { ...mock, log, ask, readGenerated: () => generated, fail: () => (failing = true), readJournal: () => getCore(mock.app as MockApp).readJournal() };
}

/** A copy of the package's schemas in which taobao.pc.refund.detail's data may have no member (a limit the generator does not read). */
function createBrokenCatalog(dir: string) {
  cpSync(SCHEMA_DIR, dir, { recursive: true });
  const file = join(dir, "top", "taobao-pc-refund-detail.json");
  const schema = JSON.parse(readFileSync(file, "utf8")) as { definitions: { Data: { maxProperties?: number } } };
  schema.definitions.Data.maxProperties = 0;
  writeFileSync(file, JSON.stringify(schema));
  return loadCatalog(dir);
}

describe("TOP answers through the one core path", () => {
  const temp = mkdtempSync(join(tmpdir(), "one-core-path-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("answers a repeated TOP XML request from the answer cache: generated on its first and second sight only", async () => {
    const s = setup();
    const bodies = [];
    for (let i = 0; i < 4; i++) bodies.push((await s.ask("xml")).text);
    expect(bodies[0]).toMatch(/^<\?xml version="1.0" encoding="utf-8" \?><pc_refund_detail_response><result>/);
    expect(new Set(bodies).size).toBe(1);
    expect(s.readGenerated()).toBe(2);
    // The cache keeps each format's answer apart: the same request in JSON is generated, and is JSON.
    const json = await s.ask("json");
    expect(json.body.pc_refund_detail_response.result.refund_dispute_order_resp.dispute_id).toBe("10000001");
    expect(s.readGenerated()).toBe(3);
  });

  for (const format of FORMATS) {
    it(`checks a TOP ${format} answer against its schema with validateResponses: a broken answer is the mock's fault, not a success`, async () => {
      const catalog = createBrokenCatalog(join(temp, format));
      const checked = setup({}, catalog);
      const res = await checked.ask(format);
      expect(res.text).toContain("isp.unknown-error");
      expect(res.text).not.toContain("pc_refund_detail_response");
      expect(checked.log.join("\n")).toMatch(/Generated answer for "taobao\.pc\.refund\.detail" .*breaks its schema: .*more than 0 properties/);
      // The same answer goes out when nobody asked for the check: the check is what caught it.
      const unchecked = setup({ validateResponses: false }, catalog);
      expect((await unchecked.ask(format)).text).toContain("pc_refund_detail_response");
    });

    it(`journals a fault while producing a TOP ${format} answer exactly once (it was journaled as a success too)`, async () => {
      const s = setup();
      s.fail();
      const res = await s.ask(format);
      expect(res.text).toContain("isp.unknown-error");
      expect(s.readJournal().map(({ api, status, code }) => ({ api, status, code }))).toEqual([{ api: "top", status: 200, code: 15 }]);
    });
  }
});
