// The proxy's check worker (see create-check-workers.ts): a worker thread that checks the exchanges
// the proxy's thread forwarded, one message each, and answers each in the order it came. It says
// "ready" once the catalog is loaded: a worker that stops before that could not start.
import { parentPort } from "node:worker_threads";
import { getCatalog } from "../schemas/catalog.js";
import type { CheckJob } from "./run-check-job.js";
import { runCheckJob } from "./run-check-job.js";

const port = parentPort;
if (!port) throw new Error("proxy/check-worker.js runs as a worker thread of the proxy, not on its own.");
const catalog = getCatalog();
port.on("message", (job: CheckJob) => port.postMessage(runCheckJob(catalog, job)));
port.postMessage("ready");
