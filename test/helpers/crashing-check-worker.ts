// The proxy's check worker (proxy/check-worker.ts), but one that dies on an exchange of the path
// /crash-the-check-worker, as a worker does when a bug throws outside the check or its heap runs out.
import { parentPort } from "node:worker_threads";
import { getCatalog } from "../../schemas/catalog.js";
import type { CheckJob } from "../../proxy/run-check-job.js";
import { runCheckJob } from "../../proxy/run-check-job.js";

const port = parentPort!;
const catalog = getCatalog();
port.on("message", (jobs: CheckJob[]) => {
  if (jobs.some((job) => job.path === "/crash-the-check-worker")) throw new Error("the check worker crashed on purpose");
  port.postMessage(jobs.map((job) => runCheckJob(catalog, job)));
});
port.postMessage("ready");
