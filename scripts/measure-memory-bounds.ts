/**
 * `npx tsx scripts/measure-memory-bounds.ts`: floods a real `pandapon-mock serve` (the built CLI,
 * `npm run build` first) with ~1 MB requests into each store that keeps request text, and prints the
 * server's RSS and the stores' own byte counts (GET /__mock/health) before and after each flood:
 * 1. the journal: TOP requests with a 1 MB parameter and a wrong signature (the error echoes it),
 * 2. the answer cache: distinct ~1 MB PandaPon bodies, each sent twice (kept from the second time),
 * 3. the answer cache again: distinct ~1 MB TOP struct parameters, each sent twice.
 * Flags: --count <n> (distinct bodies per flood, default 1000; the journal flood sends 200)
 * --body-bytes <n> (default 1000000) --concurrency <n> (default 4) --server-heap-mib <n> (runs the server
 * with --max-old-space-size=<n>: RSS counts garbage not yet collected and memory malloc keeps, so a
 * server that keeps answering under a small heap shows what it really retains).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEMO_TOP } from "../protocol/demo.js";
import type { StoreSizes } from "../mock/create-core.js";
import { signTop } from "../signing/top-sign.js";
import { PANDAPON_PATH, TOP_PATH, toSignedPandaponHeaders, toTopRefundParams } from "./bench/create-load-requests.js";
import type { PlainRequest } from "./bench/send-request.js";
import { sendRequest } from "./bench/send-request.js";
import type { RunningTarget } from "./bench/spawn-target.js";
import { spawnTarget } from "./bench/spawn-target.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const CLI = join(ROOT, "dist/cli/pandapon-mock.js");
const MIB = 1024 * 1024;

const { values: flags } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    "body-bytes": { type: "string", default: "1000000" },
    concurrency: { type: "string", default: "4" },
    "server-heap-mib": { type: "string" },
  },
});
const COUNT = Number(flags.count);
const FILLER = "x".repeat(Number(flags["body-bytes"]));
const CONCURRENCY = Number(flags.concurrency);

let sent = 0;

/** A PandaPon refund query carrying a long member the schema allows (it is not echoed, but it is the request). */
function createPandaponRequest(n: number): PlainRequest {
  sent += 1;
  const nonce = `${Date.now().toString(16)}${sent.toString(16).padStart(20, "0")}`;
  const headers = { ...toSignedPandaponHeaders(nonce), "content-type": "application/json" };
  return { method: "POST", path: PANDAPON_PATH, headers, body: `{"refundId":"TQ${n}","note":"${FILLER}"}` };
}

/** A TOP refund detail whose struct parameter carries the long member; `badSign` gets error 25, which echoes every parameter. */
function createTopRequest(n: number, badSign: boolean): PlainRequest {
  const params = toTopRefundParams(`{"dispute_id":"${10_000_000 + n}","buyer_id":10000001,"note":"${FILLER}"}`);
  params.sign = badSign ? "0".repeat(32) : signTop(params, DEMO_TOP.secret, "md5");
  return { method: "POST", path: TOP_PATH, headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(params).toString() };
}

/** Sends every request, `CONCURRENCY` at a time; counts the answers by status (and TOP's error_response). */
async function flood(url: string, requests: Array<() => PlainRequest>): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const { status, body } = await sendRequest(url, requests[next++]!(), 120_000);
      const kind = `${status}${body.startsWith('{"error_response"') ? " error_response" : ""}`;
      statuses[kind] = (statuses[kind] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

async function readStores(url: string): Promise<StoreSizes> {
  const { body } = await sendRequest(url, { method: "GET", path: "/__mock/health", headers: {}, body: "" });
  return (JSON.parse(body) as { stores: StoreSizes }).stores;
}

function toMib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

async function printState(target: RunningTarget, label: string, extra = ""): Promise<void> {
  const memory = target.readMemory();
  const stores = await readStores(target.url);
  console.log(
    `${label.padEnd(34)} RSS ${memory ? toMib(memory.rss) : "?"} (peak ${memory ? toMib(memory.peakRss) : "?"}) · ` +
      `journal ${stores.journal.entries} entries ${toMib(stores.journal.bytes)} · answer cache ${stores.answerCache.entries} entries ${toMib(stores.answerCache.bytes)}${extra}`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`Failed to find ${CLI}: run npm run build first.`);
  const heap = flags["server-heap-mib"] ? [`--max-old-space-size=${flags["server-heap-mib"]}`] : [];
  const target = await spawnTarget({ command: process.execPath, args: [...heap, CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--stateless"], cwd: ROOT });
  try {
    console.log(`pandapon-mock serve (pid ${target.pid}${heap.length ? `, ${heap[0]}` : ""}) at ${target.url}; bodies of ${FILLER.length} characters, ${COUNT} distinct per cache flood, ${CONCURRENCY} at a time`);
    await flood(target.url, [() => createPandaponRequest(-1), () => createTopRequest(-1, false)]);
    await printState(target, "at start (one request of each)");

    const journalFlood = await flood(target.url, Array.from({ length: 200 }, (_, i) => () => createTopRequest(i, true)));
    const journal = await sendRequest(target.url, { method: "GET", path: "/__mock/journal", headers: {}, body: "" });
    await printState(target, "after 200 echoed 1 MB TOP errors", ` · GET /__mock/journal ${toMib(Buffer.byteLength(journal.body))} · statuses ${JSON.stringify(journalFlood)}`);

    const pandapon = await flood(target.url, Array.from({ length: 2 * COUNT }, (_, i) => () => createPandaponRequest(i >> 1)));
    await printState(target, `after ${COUNT} PandaPon bodies × 2`, ` · statuses ${JSON.stringify(pandapon)}`);

    const top = await flood(target.url, Array.from({ length: 2 * COUNT }, (_, i) => () => createTopRequest(i >> 1, false)));
    await printState(target, `after ${COUNT} TOP parameters × 2`, ` · statuses ${JSON.stringify(top)}`);
  } finally {
    console.log(`stopped: exit ${await target.stop()}`);
  }
}

await main();
