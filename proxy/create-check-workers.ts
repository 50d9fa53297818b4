import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { CheckJob, CheckReply } from "./run-check-job.js";

/** Worker threads for the checks, at most (each loads the catalog; more than the machine's cores only compete). */
export const MAX_CHECK_WORKERS = 16;

/** Where the proxy hands its checks over: worker threads (createCheckWorkers) or its own thread (createThreadChecks in create-check-queue.ts), alike to the proxy. */
export interface CheckRunner {
  /** Hands one exchange's check over; false (nothing taken) when the checks waiting leave no room. */
  add(job: CheckJob): boolean;
  /** Checks handed over and not answered yet. */
  readonly size: number;
  /** Bytes of bodies those checks hold. */
  readonly bytes: number;
  /** Resolves once every check handed over has its reply. */
  settle(): Promise<void>;
  /** Stops the worker threads (checks still waiting are answered as unchecked). */
  close(): Promise<void>;
}

export interface CheckWorkerOptions {
  /** Worker threads (≥ 1). */
  count: number;
  /** The worker's module (check-worker.js, or its .ts source under tsx or vitest). */
  file: URL;
  /** Checks waiting, at most, in entries and in bytes of bodies. */
  maxPending: number;
  maxPendingBytes: number;
  /** Each reply, in the order the checks were handed over (also when several workers answer out of turn). */
  onReply: (reply: CheckReply) => void;
  /** A worker could not start (it stopped before it was ready): the caller checks in its own thread from then on. */
  onStartFailure: (reason: string) => void;
  log?: (line: string) => void;
}

/** The worker module beside this one: check-worker.js when built (dist/, or the bundled CLI's folder), its source when run from source; undefined when neither is there. */
export function findCheckWorker(from: string = import.meta.url): URL | undefined {
  return ["./check-worker.js", "./check-worker.ts"].map((name) => new URL(name, from)).find((url) => existsSync(url));
}

interface Slot {
  worker?: Worker;
  ready: boolean;
  /** The sequences of the checks this worker holds (posted, or in the batch about to be). */
  jobs: Set<number>;
  /** The checks handed over in this turn of the event loop, posted together at its end (one message, one wake-up of the worker, for a burst). */
  batch: CheckJob[];
}

/**
 * The proxy's checks on worker threads (one by default: the forwarding on one core, the checks on
 * another). The checks handed over in one turn of the event loop are posted together at its end,
 * their bodies transferred (see run-check-job.ts), and answered together; the replies come back to
 * onReply in the order the checks were handed over. Bounded like the in-thread
 * queue: at most maxPending checks and maxPendingBytes of bodies away at once, and what has no room is
 * refused (the caller forwards it unchecked). A worker that stops — crashed, out of memory — is
 * reported, each check it held is answered `unchecked` with why, and the next check starts a new
 * one; a worker that stops before it is ready could not start at all (onStartFailure). Workers hold
 * the process open only while they have checks to answer.
 */
export function createCheckWorkers(options: CheckWorkerOptions): CheckRunner {
  const slots: Slot[] = Array.from({ length: Math.max(1, options.count) }, () => ({ ready: false, jobs: new Set<number>(), batch: [] as CheckJob[] }));
  const bytesOf = new Map<number, number>();
  let bytes = 0;
  /** The sequences handed over and not yet passed to onReply, in order; replies that came early wait in `early`. */
  const order: number[] = [];
  let head = 0;
  const early = new Map<number, CheckReply>();
  let idle: (() => void)[] = [];
  let closing = false;
  let failed = false;
  let flushing = false;

  const flush = () => {
    flushing = false;
    for (const slot of slots) {
      if (slot.batch.length === 0 || !slot.worker) continue;
      slot.worker.postMessage(slot.batch, slot.batch.map((job) => job.bodies.buffer));
      slot.batch = [];
    }
  };

  const answer = (reply: CheckReply) => {
    bytes -= bytesOf.get(reply.sequence) ?? 0;
    bytesOf.delete(reply.sequence);
    early.set(reply.sequence, reply);
    while (head < order.length && early.has(order[head]!)) {
      const next = early.get(order[head]!)!;
      early.delete(order[head]!);
      order[head++] = 0;
      options.onReply(next);
    }
    if (head === order.length) {
      order.length = 0;
      head = 0;
    } else if (head >= 1024) {
      order.splice(0, head);
      head = 0;
    }
    if (bytesOf.size === 0) {
      const waiting = idle;
      idle = [];
      for (const done of waiting) done();
    }
  };

  const start = (slot: Slot): Worker => {
    const worker = spawnWorker(options.file);
    slot.worker = worker;
    slot.ready = false;
    let fault = "";
    worker.on("message", (message: CheckReply[] | "ready") => {
      if (message === "ready") {
        slot.ready = true;
        return;
      }
      for (const reply of message) {
        slot.jobs.delete(reply.sequence);
        answer(reply);
      }
      if (slot.jobs.size === 0) worker.unref();
    });
    worker.on("error", (error) => (fault = error.message));
    worker.on("exit", (code) => {
      if (slot.worker === worker) slot.worker = undefined;
      const lost = [...slot.jobs];
      slot.jobs.clear();
      slot.batch = [];
      if (closing && lost.length === 0) return;
      const why = closing ? "the proxy stopped its check workers" : `the check worker stopped (${fault || `exit code ${code}`})`;
      if (!closing && !slot.ready) {
        failed = true;
        options.onStartFailure(fault || `exit code ${code}`);
      } else if (!closing) options.log?.(`proxy: ${why}; ${lost.length} exchange${lost.length === 1 ? "" : "s"} it held left unchecked; a new worker takes the next checks`);
      for (const sequence of lost) answer({ sequence, kind: "unchecked", reason: `${why} before checking it (forwarded, not checked)` });
    });
    return worker;
  };

  return {
    add(job) {
      const size = job.bodies.byteLength;
      if (failed || closing || bytesOf.size >= options.maxPending || bytes + size > options.maxPendingBytes) return false;
      // The worker holding the fewest checks takes this one.
      const slot = slots.reduce((best, s) => (s.jobs.size < best.jobs.size ? s : best));
      const worker = slot.worker ?? start(slot);
      if (slot.jobs.size === 0) worker.ref();
      slot.jobs.add(job.sequence);
      bytesOf.set(job.sequence, size);
      bytes += size;
      order.push(job.sequence);
      slot.batch.push(job);
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
      return true;
    },
    get size() {
      return bytesOf.size;
    },
    get bytes() {
      return bytes;
    },
    settle: () => (bytesOf.size === 0 ? Promise.resolve() : new Promise<void>((done) => idle.push(done))),
    async close() {
      closing = true;
      await Promise.all(slots.map((slot) => slot.worker?.terminate()));
    },
  };
}

/** A worker on the module; its TypeScript source (under tsx or vitest) is loaded through tsx, which a worker does not inherit. */
function spawnWorker(file: URL): Worker {
  if (!file.pathname.endsWith(".ts")) return new Worker(file);
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(file.href)}));`, { eval: true });
}
