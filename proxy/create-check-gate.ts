import type { ServerResponse } from "node:http";

/** Requests waiting for room in the checks, at most (--check-all); beyond, a request is answered 503, not forwarded. */
export const MAX_WAITING_REQUESTS = 1000;

/** What the gate did since the start: how many requests waited for the checks, and how long. */
export interface GateCounts {
  /** Requests waiting now, not forwarded yet. */
  waitingNow: number;
  /** Requests that waited before they were forwarded. */
  waited: number;
  /** Their waits added up, and the longest, in milliseconds. */
  waitedMs: number;
  maxWaitMs: number;
  /** Clients that went away while their request waited (not forwarded). */
  gaveUp: number;
  /** Requests answered 503 because the waiting list was full (not forwarded). */
  refused: number;
}

export interface CheckGate {
  /**
   * Runs `forward` now when the checks have room and no request waits before this one; otherwise
   * holds it and runs it once there is room (release()), in the order the requests came — or never,
   * when the client goes away first (its response closes). False, and nothing runs, when maxWaiting
   * requests wait already: the caller refuses the request.
   */
  enter(res: ServerResponse, forward: () => void): boolean;
  /** Room may have been made (a check finished, an exchange ended): the waiting requests go, in order, while there is room. */
  release(): void;
  /** Requests waiting now. */
  readonly size: number;
  read(): GateCounts;
}

interface Waiter {
  res: ServerResponse;
  forward: () => void;
  since: number;
  onClose: () => void;
}

/**
 * The backpressure of `--check-all`: a request is forwarded only when `hasRoom()` (the caller's
 * bound on the checks to come: `forward` must take its share synchronously, so the next call sees
 * it); otherwise it waits, before anything of it is read or sent upstream, holding only what the
 * server already holds for a request (its socket, headers and what the kernel and Node buffered of
 * its body). The waiting list is bounded (maxWaiting) and a request waiting never overtakes
 * another. Requests already forwarded are never held back: the gate only decides when one starts.
 */
export function createCheckGate(hasRoom: () => boolean, maxWaiting: number = MAX_WAITING_REQUESTS): CheckGate {
  const waiting = new Set<Waiter>();
  const counts: Omit<GateCounts, "waitingNow"> = { waited: 0, waitedMs: 0, maxWaitMs: 0, gaveUp: 0, refused: 0 };
  let releasing = false;

  const release = () => {
    if (releasing) return;
    releasing = true;
    try {
      for (const waiter of waiting) {
        if (!hasRoom()) break;
        waiting.delete(waiter);
        waiter.res.off("close", waiter.onClose);
        // Closed, its close event not emitted yet: nothing of it is forwarded either.
        if (waiter.res.destroyed || waiter.res.socket?.destroyed) {
          counts.gaveUp += 1;
          continue;
        }
        const waitedMs = performance.now() - waiter.since;
        counts.waited += 1;
        counts.waitedMs += waitedMs;
        counts.maxWaitMs = Math.max(counts.maxWaitMs, waitedMs);
        waiter.forward();
      }
    } finally {
      releasing = false;
    }
  };

  return {
    enter(res, forward) {
      if (waiting.size > 0) release();
      if (waiting.size === 0 && hasRoom()) {
        forward();
        return true;
      }
      if (waiting.size >= maxWaiting) {
        counts.refused += 1;
        return false;
      }
      const waiter: Waiter = {
        res,
        forward,
        since: performance.now(),
        onClose: () => {
          if (waiting.delete(waiter)) counts.gaveUp += 1;
        },
      };
      waiting.add(waiter);
      res.once("close", waiter.onClose);
      return true;
    },
    release,
    get size() {
      return waiting.size;
    },
    read: () => ({ waitingNow: waiting.size, ...counts, waitedMs: Math.round(counts.waitedMs), maxWaitMs: Math.round(counts.maxWaitMs) }),
  };
}
