import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { applyAction } from "../mock/state/apply-action.js";
import type { EntityRecord } from "../mock/state/entity.js";
import { getLifecycles } from "../mock/state/lifecycle.js";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import type { MeasuredTarget } from "../scripts/bench/combine-rounds.js";
import { combineRounds, toRoundRatio } from "../scripts/bench/combine-rounds.js";
import { createStateFlowPlan, createStatePolledPlan, createStateUnknownPlan, findBornViewCaveat, findViewCaveat, toStatefulCommand } from "../scripts/bench/create-state-plans.js";
import { toMockCommand } from "../scripts/bench/create-target-plans.js";
import { createPollingRequests, readRefundCreateExample } from "../scripts/bench/create-state-requests.js";
import { FILL_TYPE, fillState, readStateFileBytes, rekey, toFilledId, toTemplate } from "../scripts/bench/fill-state.js";
import { readyTarget } from "../scripts/bench/run-target.js";
import { runLoad } from "../scripts/bench/run-load.js";
import type { RunningTarget } from "../scripts/bench/spawn-target.js";
import { spawnTarget } from "../scripts/bench/spawn-target.js";
import { measuredTarget } from "./helpers/measured-target.js";

const NOW = Date.UTC(2026, 10, 20, 2, 0, 0);
const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "pandapon-mock-bench-test-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("filling the state through the store", () => {
  it("stores the count of refunds of the tenant, each a born refund re-keyed to its own id, timers not due for a day", async () => {
    const file = join(newDir(), "state.sqlite");
    const outcome = await fillState({ file, count: 300, tenant: DEMO_PANDAPON.accessKey, seed: 1, now: NOW, templates: 7, batch: 64, polled: 4 });
    expect(outcome.entities).toBe(300);
    expect(outcome.fileBytes).toBe(readStateFileBytes(file));
    expect(outcome.fileBytes).toBeGreaterThan(300 * 1000);
    expect(outcome.polled.map((p) => p.id)).toEqual([toFilledId(0), toFilledId(75), toFilledId(150), toFilledId(225)]);
    // The store was closed: a store opens the file (alone) again.
    const store = createSqliteStore({ file });
    try {
      expect((await store.stats()).entities).toBe(300);
      expect(outcome.storedBytes).toBe((await store.stats()).bytes);
      for (const n of [0, 7, 151, 299]) {
        const id = toFilledId(n);
        const record = (await store.get(DEMO_PANDAPON.accessKey, FILL_TYPE, id))!;
        expect([record.id, record.fields.refundId, record.fields.id, record.version]).toEqual([id, id, BigInt(id.slice(2)), 1]);
        // The operation log names its own refund, never the template's.
        const log = JSON.parse(record.fields.refundOperationList as string) as Array<{ refundId: string }>;
        expect(log.map((entry) => entry.refundId)).toEqual(log.map(() => id));
        expect(JSON.stringify(record, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toMatch(/TQ9\d{16}/);
        expect(record.timers.every((timer) => timer.at > NOW + 86_400_000)).toBe(true);
      }
      const polled = outcome.polled[2]!;
      expect(String((await store.get(DEMO_PANDAPON.accessKey, FILL_TYPE, polled.id))!.fields.orderId)).toBe(polled.orderId);
      expect(await store.get("another-tenant", FILL_TYPE, toFilledId(0))).toBeUndefined();
      // Seven templates: copies of one template share its state; ids 0 and 7 come from the same one.
      const [a, b] = [await store.get(DEMO_PANDAPON.accessKey, FILL_TYPE, toFilledId(0)), await store.get(DEMO_PANDAPON.accessKey, FILL_TYPE, toFilledId(7))];
      expect([a!.state, a!.fields.orderId]).toEqual([b!.state, b!.fields.orderId]);
    } finally {
      await store.close();
    }
  });

  it("refuses a template whose id shows where a copy would not rewrite it", () => {
    const record: EntityRecord = { type: FILL_TYPE, tenant: "t", id: "TQ90000000000000042", state: "waitselleragree", fields: { refundId: "TQ90000000000000042", remark: "see 90000000000000042" }, history: [], timers: [], version: 0, createdAt: NOW, updatedAt: NOW };
    expect(() => toTemplate(record)).toThrow(/its id shows in fields other than refundId/);
    const quoting = { ...record, fields: { refundId: record.id, id: 90000000000000042n, log: `[{"refundId":"${record.id}"}]`, other: "x" } };
    const copy = rekey(toTemplate(quoting), "TQ10000000000000005");
    expect(copy.fields).toEqual({ refundId: "TQ10000000000000005", id: 10000000000000005n, log: '[{"refundId":"TQ10000000000000005"}]', other: "x" });
    expect(quoting.fields.refundId).toBe(record.id);
  });

  it("sends a create request the refund lifecycle accepts, so each flow creates a refund", () => {
    const refunds = getLifecycles().get(FILL_TYPE)!;
    const { payload, body } = readRefundCreateExample();
    expect(body).toContain('"orderId":2542285634920880794,');
    const outcome = applyAction(refunds, { tenant: DEMO_PANDAPON.accessKey, id: "TQ36706300000000001" }, { action: "create", at: NOW, input: payload }, 1);
    expect(outcome.ok && [outcome.record.state, outcome.record.fields.orderId]).toEqual(["waitselleragree", 2542285634920880794n]);
  });

  it("polls a fixed set of ids round and round", () => {
    const next = createPollingRequests(["TQ1", "TQ2", "TQ3"]);
    expect(Array.from({ length: 7 }, () => (JSON.parse(next().body) as { refundId: string }).refundId)).toEqual(["TQ1", "TQ2", "TQ3", "TQ1", "TQ2", "TQ3", "TQ1"]);
    expect(() => createPollingRequests([])).toThrow(/no ids/);
  });
});

describe("stateful rows' ratios", () => {
  const measured = (name: string, requestsPerSecond: number, caveat?: string): MeasuredTarget => measuredTarget(name, requestsPerSecond, caveat === undefined ? {} : { caveat });


  it("is taken within each round against the baseline of the same run, and keeps a side's caveat", () => {
    const rounds = [
      { stateUnknown: measured("s", 9000), mockPandapon: measured("m", 10_000) },
      { stateUnknown: measured("s", 4000), mockPandapon: measured("m", 5000) },
      { stateUnknown: measured("s", 9500), mockPandapon: measured("m", 10_000) },
    ];
    expect(toRoundRatio("unknown / stateless", rounds, "stateUnknown", "mockPandapon", 0.9)).toEqual({ name: "unknown / stateless", value: 0.9, target: 0.9, byRound: [0.9, 0.8, 0.95] });
    const marked = rounds.map((r) => ({ ...r, stateUnknown: measured("s", r.stateUnknown.requestsPerSecond, "generated, not views") }));
    expect(toRoundRatio("unknown / stateless", marked, "stateUnknown", "mockPandapon", 0.9).caveat).toBe("generated, not views");
    expect(combineRounds(marked.map((r) => r.stateUnknown)).caveat).toBe("generated, not views");
  });
});

/** A real HTTP server answering refund reads with the orderId `orderIdOf(refundId)` in the PandaPon envelope. */
async function startRefundServer(orderIdOf: (refundId: string) => string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const { refundId } = JSON.parse(body) as { refundId: string };
      res.setHeader("content-type", "application/json");
      res.end(`{"requestId":"r","code":200,"developId":null,"msg":"成功","data":{"refundId":"${refundId}","orderId":${orderIdOf(refundId)},"status":"waitselleragree"}}`);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("the stateful rows against a running mock", () => {
  const targets: RunningTarget[] = [];
  afterEach(async () => {
    for (const target of targets.splice(0)) await target.stop();
  });
  const settings = { connections: 4, durationSeconds: 1, warmupSeconds: 0, rounds: 1 };

  it("tells answers that are views of the entities from generated ones", async () => {
    const stored = [{ id: toFilledId(3), orderId: "2542285634920880794" }];
    const views = await startRefundServer(() => "2542285634920880794");
    const other = await startRefundServer(() => "2542285634920880795");
    try {
      expect(await findViewCaveat(views.url, stored, "views")).toBeUndefined();
      expect(await findViewCaveat(other.url, stored, "other")).toMatch(/did not answer its orderId 2542285634920880794/);
      expect(await findBornViewCaveat(other.url, "other")).toMatch(/did not answer the orderId \d+ of the refund born for it/);
    } finally {
      views.server.close();
      other.server.close();
    }
    // The stateless mock answers generated data: never a view.
    const stateless = await spawnTarget(toMockCommand(PACKAGE_ROOT));
    targets.push(stateless);
    expect(await findViewCaveat(stateless.url, stored, "stateless")).toMatch(/not views of stored entities/);
    expect(await findBornViewCaveat(stateless.url, "stateless")).toMatch(/not views of born entities/);
  });

  it("readies and loads the unknown-id, polling and create+read rows on `serve --state <file>`, each on a state file of its own", async () => {
    const plans = [
      createStateUnknownPlan(toStatefulCommand(PACKAGE_ROOT, newDir())),
      createStatePolledPlan(toStatefulCommand(PACKAGE_ROOT, newDir()), 5),
      createStateFlowPlan(toStatefulCommand(PACKAGE_ROOT, newDir())),
    ];
    for (const plan of plans) {
      expect(plan.command.args.slice(-2)).toEqual(["--state", join(plan.command.cwd!, "state.sqlite")]);
      const target = await spawnTarget(plan.command);
      targets.push(target);
      const live = await readyTarget(plan, target, settings);
      expect(live.sampleAnswer).toContain('"code":200,');
      const requests = plan.loadRequests?.() ?? [{ setupRequest: (request: object) => ({ ...request, ...plan.createRequest() }) }];
      const load = await runLoad({ url: target.url, connections: 4, durationSeconds: 1, requests, verifyBody: plan.verifyBody });
      expect([plan.name, load.total > 0, load.non2xx, load.errors, load.mismatches]).toEqual([plan.name, true, 0, 0, 0]);
    }
    expect(readStateFileBytes(join(plans[0]!.command.cwd!, "state.sqlite"))).toBeGreaterThan(0);
  });
});
