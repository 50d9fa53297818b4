// The proxy's check worker (see create-check-workers.ts): a worker thread that checks the exchanges
// the proxy's thread forwarded, a batch a message, and answers each batch in one message, in order. It says
// "ready" once the catalog is loaded: a worker that stops before that could not start.
import { readlinkSync } from "node:fs";
import { constants, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { getCatalog } from "../schemas/catalog.js";
import type { CheckJob } from "./run-check-job.js";
import { runCheckJob } from "./run-check-job.js";

/**
 * The checks yield to the forwarding: this thread runs at the lowest priority, so that on a busy
 * machine the cores go to the proxy's answers first and the checks take what is left (as they did
 * when they ran between requests), the bounded queue absorbing bursts. Linux gives each thread a
 * nice value of its own (its id from /proc/thread-self); elsewhere the thread keeps the process's.
 */
function yieldToForwarding(): void {
  try {
    setPriority(Number(readlinkSync("/proc/thread-self").split("/").pop()), constants.priority.PRIORITY_LOW);
  } catch {
    // Not Linux, or not allowed: the checks run at the proxy's priority.
  }
}

const port = parentPort;
if (!port) throw new Error("proxy/check-worker.js runs as a worker thread of the proxy, not on its own.");
yieldToForwarding();
const catalog = getCatalog();
port.on("message", (jobs: CheckJob[]) => port.postMessage(jobs.map((job) => runCheckJob(catalog, job))));
port.postMessage("ready");
