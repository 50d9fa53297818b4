import type { Catalog } from "../schemas/catalog.js";
import type { CheckRunner } from "./create-check-workers.js";
import type { CheckReply } from "./run-check-job.js";
import { runCheckJob } from "./run-check-job.js";

/** Exchanges waiting for their checks, at most (beyond, an exchange is forwarded but not checked). */
export const MAX_PENDING_CHECKS = 2000;
/** Bytes of bodies waiting for their checks, at most. */
export const MAX_PENDING_BYTES = 64 * 2 ** 20;
/** How long one turn of the checks may hold the event loop before forwarding gets its turn again. */
const SLICE_MS = 1;

export interface CheckQueue {
  /** Queues a check (which reports its own faults: it must not throw) holding `bytes` of bodies; false (nothing queued) when the queue is full. */
  add(check: () => void, bytes: number): boolean;
  /** Runs every queued check now (for a summary on exit). */
  drain(): void;
  readonly size: number;
  /** Bytes of bodies the queued checks hold. */
  readonly bytes: number;
}

/**
 * The checks of the exchanges the proxy forwarded, run off the answers' path: each answer is sent
 * first, its check queued; the queue runs in turns of a few milliseconds on setImmediate, so a
 * request that arrives meanwhile is forwarded between two checks, not after all of them. Bounded
 * in entries and bytes: when a burst outruns the checks, what does not fit is refused (the caller
 * counts it as unchecked) instead of the proxy's memory growing.
 */
export function createCheckQueue(limits: { maxPending?: number; maxPendingBytes?: number } = {}): CheckQueue {
  const maxPending = limits.maxPending ?? MAX_PENDING_CHECKS;
  const maxBytes = limits.maxPendingBytes ?? MAX_PENDING_BYTES;
  const pending: { check: () => void; bytes: number }[] = [];
  let head = 0;
  let bytes = 0;
  let scheduled = false;

  const runNext = () => {
    const job = pending[head]!;
    pending[head++] = undefined as never;
    bytes -= job.bytes;
    if (head === pending.length) {
      pending.length = 0;
      head = 0;
    } else if (head >= 1024) {
      pending.splice(0, head);
      head = 0;
    }
    job.check();
  };

  const turn = () => {
    scheduled = false;
    const until = performance.now() + SLICE_MS;
    try {
      while (head < pending.length && performance.now() < until) runNext();
    } finally {
      if (head < pending.length) schedule();
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(turn);
  };

  return {
    add(check, size) {
      if (pending.length - head >= maxPending || bytes + size > maxBytes) return false;
      pending.push({ check, bytes: size });
      bytes += size;
      schedule();
      return true;
    },
    drain() {
      while (head < pending.length) runNext();
    },
    get size() {
      return pending.length - head;
    },
    get bytes() {
      return bytes;
    },
  };
}

/** The proxy's checks on its own thread (checkWorkers 0, or where no worker can start): the queue above, each check's reply to onReply in order. */
export function createThreadChecks(catalog: Catalog, limits: { maxPending: number; maxPendingBytes: number }, onReply: (reply: CheckReply) => void): CheckRunner {
  const queue = createCheckQueue(limits);
  return {
    add: (job) => queue.add(() => onReply(runCheckJob(catalog, job)), job.bodies.byteLength),
    get size() {
      return queue.size;
    },
    get bytes() {
      return queue.bytes;
    },
    settle: async () => queue.drain(),
    close: async () => undefined,
  };
}
