// A separate process using a SQLite state file, for the durability and two-process tests:
//   node --import tsx test/helpers/store-child.ts <file> write <tenant> <count>
//     puts <count> entities, printing "written <n>" after each put answered ok, then "done", and
//     stays alive until killed or until its standard input closes;
//   … increment <count>   adds 1 to a shared counter entity <count> times (read, put with the version
//     read, again on a conflict) and takes as many numbers of a shared sequence; prints JSON;
//   … claim <owner> <now>  claims due pushes until none is left, marking each done; prints JSON ids;
//   … dump                 prints JSON: every entity key, the counter, the stats.
import { createSqliteStore } from "../../mock/state/sqlite-store.js";
import type { StateStore } from "../../mock/state/store.js";
import { toTestRecord } from "./test-record.js";

const [file, mode, ...args] = process.argv.slice(2);
// The file is shared by the processes of the two-process tests; the others hold it alone, as serve will.
const store = createSqliteStore({ file: file!, shared: mode === "increment" || mode === "claim" });

async function write(tenant: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) {
    const result = await store.put(toTestRecord({ tenant, id: `W${n}`, fields: { n, orderId: BigInt(`10000000000000000${String(n).padStart(3, "0")}`) } }), 0);
    if (!result.ok) throw new Error(result.message);
    process.stdout.write(`written ${n}\n`);
  }
  process.stdout.write("done\n");
  await new Promise((resolve) => process.stdin.on("close", resolve).resume());
}

async function increment(s: StateStore, count: number): Promise<void> {
  const sequences: number[] = [];
  let conflicts = 0;
  for (let i = 0; i < count; i++) {
    for (;;) {
      const current = await s.get("shared", "counter", "c");
      const next = toTestRecord({ tenant: "shared", type: "counter", id: "c", fields: { count: ((current?.fields.count as number | undefined) ?? 0) + 1 } });
      const result = await s.put(next, current?.version ?? 0);
      if (result.ok) break;
      if (result.reason !== "conflict") throw new Error(result.message);
      conflicts++;
    }
    const value = await s.nextSequence("shared", "order");
    if (!value.ok) throw new Error(value.message);
    sequences.push(value.value);
  }
  process.stdout.write(`${JSON.stringify({ sequences, conflicts })}\n`);
}

async function claim(owner: string, now: number): Promise<void> {
  const ids: number[] = [];
  for (;;) {
    const claimed = await store.claimDue(now, owner, 60_000, 2);
    if (claimed.length === 0) break;
    for (const push of claimed) {
      const recorded = await store.recordAttempt(push.id, { at: now, owner, status: 200 }, "done");
      if (!recorded.ok) throw new Error(recorded.message);
      ids.push(push.id);
    }
  }
  process.stdout.write(`${JSON.stringify(ids)}\n`);
}

async function dump(): Promise<void> {
  const keys: string[] = [];
  let after;
  do {
    const page = await store.list({ limit: 1000, ...(after ? { after } : {}) });
    keys.push(...page.records.filter((r) => r.type !== "counter").map((r) => `${r.tenant}/${r.id}`));
    after = page.next ?? undefined;
  } while (after);
  const counter = await store.get("shared", "counter", "c");
  process.stdout.write(`${JSON.stringify({ keys, count: counter?.fields.count ?? 0, stats: await store.stats() })}\n`);
}

if (mode === "write") await write(args[0]!, Number(args[1]));
else if (mode === "increment") await increment(store, Number(args[0]));
else if (mode === "claim") await claim(args[0]!, Number(args[1]));
else if (mode === "dump") await dump();
else throw new Error(`unknown mode ${mode}`);
await store.close();
