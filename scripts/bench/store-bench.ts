// Micro-benchmark of the SQLite state store (not part of `npm run bench`):
//   npx tsx scripts/bench/store-bench.ts [--entities 1000000] [--seconds 2] [--rounds 3] [--pg]
// Fills a fresh state file through the store (putMany, batches of 5,000, one transaction each),
// then measures, in alternating rounds: get of unknown ids (the stateful mock's hot path for ids
// nobody wrote), get of stored ids, put of an update (get + put with its version), put of a new id,
// first with the file held alone (the default: key filter), then shared (every get reads the
// file; puts with synchronous=FULL) — and, as the stateless reference in the same rounds, the
// generation of a fresh /alibaba/refund/info answer in process (no HTTP, no signature: less than
// the mock's whole cost per request, so the ratio printed errs low); prints the figures and the
// file's size, and writes
// .bench/store-results.json. --pg also measures get of unknown ids against the local PostgreSQL
// (schema pandapon_mock_bench, dropped at the end) after a smaller fill.
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createProducer } from "../../mock/generate/create-producer.js";
import { createRandomizer } from "../../mock/generate/randomizer.js";
import type { EntityRecord } from "../../mock/state/entity.js";
import { createPgStore } from "../../mock/state/pg-store.js";
import { createSqliteStore } from "../../mock/state/sqlite-store.js";
import type { StateStore } from "../../mock/state/store.js";
import { getCatalog } from "../../schemas/catalog.js";

const { values: flags } = parseArgs({
  options: {
    entities: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    pg: { type: "boolean", default: false },
  },
});
const ENTITIES = Number(flags.entities);
const SLICE_MS = Number(flags.seconds) * 1000;
const ROUNDS = Number(flags.rounds);
const TENANTS = ["pandapon-demo-key", "tenant-2", "tenant-3", "top-12345678"];
const BATCH = 5000;
const FOLDER = join(".bench", "store-bench");

/** The n-th stored id: 19 digits, as 1688 order ids are. */
const toStoredId = (n: number) => `5${String(n).padStart(18, "0")}`;
/** Ids nobody stored: same shape, other first digit. */
const toUnknownId = (n: number) => `6${String(n).padStart(18, "0")}`;

function toRecord(n: number, now: number): EntityRecord {
  const id = toStoredId(n);
  return {
    type: "alibaba-order",
    tenant: TENANTS[n % TENANTS.length]!,
    id,
    state: "waitsellersend",
    fields: {
      orderId: BigInt(id),
      buyerLoginId: `buyer${n % 9973}`,
      sellerLoginId: `seller${n % 311}`,
      totalAmount: 12_345 + (n % 1000),
      shippingFee: 800,
      status: "waitsellersend",
      createTime: "2026-11-20 10:00:00",
      productItems: [{ productID: 601234567890 + (n % 97), name: "女士针织开衫 秋冬款", quantity: 2, price: "61.73", skuID: 4_123_456_789_012 + n }],
      receiver: { toFullName: "张三", toArea: "浙江省 杭州市 余杭区", toPost: "311100", toMobile: "138****0000" },
    },
    history: [{ at: now, action: "create", from: null, to: "waitbuyerpay" }, { at: now + 60_000, action: "pay", from: "waitbuyerpay", to: "waitsellersend" }],
    timers: [{ action: "close", at: now + 86_400_000 }],
    version: 0,
    createdAt: now,
    updatedAt: now + 60_000,
  };
}

async function fill(store: StateStore, count: number): Promise<number> {
  const started = performance.now();
  for (let from = 0; from < count; from += BATCH) {
    const writes = Array.from({ length: Math.min(BATCH, count - from) }, (_, i) => ({ record: toRecord(from + i, 1_700_000_000_000), expectedVersion: 0 }));
    const results = await store.putMany(writes);
    const refused = results.find((r) => !r.ok);
    if (refused !== undefined && !refused.ok) throw new Error(refused.message);
    if ((from / BATCH) % 40 === 0) process.stderr.write(`  filled ${from + writes.length}\r`);
  }
  return (performance.now() - started) / 1000;
}

/** Calls `op` with 0, 1, 2… for SLICE_MS; operations per second. */
async function measure(op: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let i = 0;
  for (;;) {
    for (const end = i + 256; i < end; i++) await op(i);
    const elapsed = performance.now() - started;
    if (elapsed >= SLICE_MS) return (i * 1000) / elapsed;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function fileSize(file: string): number {
  let size = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      size += statSync(file + suffix).size;
    } catch {
      // no such side file
    }
  }
  return size;
}

async function measureRounds(ops: Record<string, (i: number) => Promise<unknown>>, figures: Record<string, unknown>): Promise<void> {
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(ops).map((name) => [name, []]));
  // Warm-up (compiled code, caches), not counted.
  for (const op of Object.values(ops)) for (let i = 0; i < 2000; i++) await op(i);
  for (let round = 0; round < ROUNDS; round++) {
    const names = round % 2 ? Object.keys(ops).reverse() : Object.keys(ops);
    for (const name of names) rates[name]!.push(await measure(ops[name]!));
    process.stderr.write(`  round ${round + 1}/${ROUNDS}\r`);
  }
  for (const [name, xs] of Object.entries(rates)) figures[name] = { perSecond: Math.round(median(xs)), microseconds: +(1e6 / median(xs)).toFixed(2), rounds: xs.map(Math.round) };
}

async function benchSqlite(): Promise<Record<string, unknown>> {
  rmSync(FOLDER, { recursive: true, force: true });
  mkdirSync(FOLDER, { recursive: true });
  const file = join(FOLDER, "state.sqlite");
  const limits = { maxEntities: ENTITIES + 1_000_000 };
  // Held alone (the default: exclusive lock, key filter).
  const alone = createSqliteStore({ file, limits });
  console.log(`Filling ${ENTITIES.toLocaleString("en")} entities through putMany…`);
  const fillSeconds = await fill(alone, ENTITIES);
  const stats = await alone.stats();
  const random = createRandomizer(7);
  const pick = Array.from({ length: 1 << 16 }, () => Math.floor(random.next() * ENTITIES));
  let nextNew = ENTITIES;
  const tenantOf = (n: number) => TENANTS[n % TENANTS.length]!;
  const catalog = getCatalog();
  const operation = catalog.find("/alibaba/refund/info")!;
  const producer = createProducer(catalog, { seed: 1 });
  const fresh = async (i: number) => producer.produceAnswer(operation, { refundId: `TQ${toUnknownId(i)}` }, "json");
  const getUnknown = (store: StateStore) => (i: number) => store.get(tenantOf(i), "alibaba-order", toUnknownId(pick[i & 0xffff]!));
  const getStored = (store: StateStore) => (i: number) => store.get(tenantOf(pick[i & 0xffff]!), "alibaba-order", toStoredId(pick[i & 0xffff]!));
  const figures: Record<string, unknown> = {};
  await measureRounds(
    {
      "stateless: fresh answer": fresh,
      "get unknown id": getUnknown(alone),
      "get stored id": getStored(alone),
      "put update (NORMAL)": async (i) => {
        const record = (await alone.get(tenantOf(pick[i & 0xffff]!), "alibaba-order", toStoredId(pick[i & 0xffff]!)))!;
        return alone.put({ ...record, updatedAt: record.updatedAt + 1 }, record.version);
      },
      "put new id (NORMAL)": () => alone.put(toRecord(nextNew++, 1_700_000_000_000), 0),
    },
    figures,
  );
  await alone.close();
  // Shared by processes: no key filter, file locking per statement; FULL on a second connection.
  const shared = createSqliteStore({ file, limits, shared: true });
  const full = createSqliteStore({ file, limits, shared: true, synchronous: "full" });
  await measureRounds(
    {
      "stateless: fresh answer (2)": fresh,
      "shared: get unknown id": getUnknown(shared),
      "shared: get stored id": getStored(shared),
      "shared: put new id (FULL)": () => full.put(toRecord(nextNew++, 1_700_000_000_000), 0),
    },
    figures,
  );
  await full.close();
  await shared.close();
  return { entities: stats.entities, fillSeconds: +fillSeconds.toFixed(1), fillPerSecond: Math.round(ENTITIES / fillSeconds), storedBytes: stats.bytes, fileBytes: fileSize(file), figures };
}

async function benchPg(): Promise<Record<string, unknown>> {
  const schema = "pandapon_mock_bench";
  const connection = { host: "127.0.0.1", port: 5432, user: process.env.PGUSER ?? "postgres", database: process.env.PGDATABASE ?? "test" };
  const admin = new pg.Client(connection);
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const store = await createPgStore({ connection, schema });
  const count = Math.min(ENTITIES, 100_000);
  try {
    console.log(`PostgreSQL: filling ${count.toLocaleString("en")} entities…`);
    await fill(store, count);
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) rates.push(await measure((i) => store.get(TENANTS[i % 4]!, "alibaba-order", toUnknownId(i))));
    return { entities: count, "get unknown id": { perSecond: Math.round(median(rates)), microseconds: +(1e6 / median(rates)).toFixed(1), rounds: rates.map(Math.round) } };
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, sqlite: await benchSqlite() };
if (flags.pg) results.pg = await benchPg();
const sqlite = results.sqlite as { figures: Record<string, { perSecond: number; microseconds: number }>; fileBytes: number; storedBytes: number; fillSeconds: number; fillPerSecond: number; entities: number };
console.log(`\n${sqlite.entities.toLocaleString("en")} entities: filled in ${sqlite.fillSeconds} s (${sqlite.fillPerSecond.toLocaleString("en")}/s); stored record bytes ${(sqlite.storedBytes / 2 ** 20).toFixed(0)} MiB; file ${(sqlite.fileBytes / 2 ** 20).toFixed(0)} MiB`);
for (const [name, figure] of Object.entries(sqlite.figures)) console.log(`${name.padEnd(22)} ${String(figure.perSecond.toLocaleString("en")).padStart(10)}/s  ${figure.microseconds} µs`);
const toRatio = (freshName: string, getName: string) => {
  const fresh = sqlite.figures[freshName]!.microseconds;
  return (fresh / (fresh + sqlite.figures[getName]!.microseconds)).toFixed(3);
};
console.log(`A fresh answer that also asks the store for its unknown id: ${toRatio("stateless: fresh answer", "get unknown id")}× the stateless rate held alone, ${toRatio("stateless: fresh answer (2)", "shared: get unknown id")}× shared (generation only: a whole request costs more, so the real ratios are higher)`);
if (results.pg) console.log(`PostgreSQL get unknown id: ${JSON.stringify((results.pg as Record<string, unknown>)["get unknown id"])}`);
writeFileSync(join(".bench", "store-results.json"), `${JSON.stringify(results, null, 2)}\n`);
