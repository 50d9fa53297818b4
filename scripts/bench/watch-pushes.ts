import { readProcessCpuSeconds } from "./read-process-cpu.js";

/** What the push receiver (push-receiver.mjs) has counted so far: GET /count. */
export interface ReceiverCount {
  /** Messages whose Authorization is the hex HMAC-SHA256 of the raw body with the tenant's AccessSecret. */
  delivered: number;
  badSignature: number;
  unsigned: number;
  byType: Record<string, number>;
}

/** The pushes of one measured slice of the `statePushes` row. */
export interface PushSlice {
  /** Correctly signed messages the receiver got during the slice. */
  deliveries: number;
  deliveriesPerSecond: number;
  /** Deliveries per create answered during the slice (each create of a refund emits one message): ~1 when sending keeps up. */
  deliveriesPerCreate: number | null;
  /** Messages with a wrong or no signature during the slice (must be 0). */
  badSignature: number;
  unsigned: number;
  /** CPU the receiver used during the slice, % of one core (null without /proc). */
  receiverCpuPercent: number | null;
  /**
   * Of the slice's pushes, those whose first attempt was not acknowledged (no HTTP 200 within
   * 1000 ms, e.g. a receiver starved of CPU): scheduled for a retry 30 minutes later on the virtual
   * clock (never reached here). The receiver may still have counted them, answered late.
   */
  retried: number;
  /** How long after the slice the last of its pushes had its first attempt (s): the backlog the slice left. */
  settleSeconds: number;
}

/** A running push receiver: its URL (deliveries go to `${url}/callback`) and process id. */
export interface PushReceiver {
  url: string;
  pid: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function readReceiverCount(receiverUrl: string): Promise<ReceiverCount> {
  const res = await fetch(`${receiverUrl}/count`);
  if (res.status !== 200) throw new Error(`Failed to read the push receiver's count: HTTP ${res.status}.`);
  return (await res.json()) as ReceiverCount;
}

/** A page of the mock's pending pushes after `after` (id order): each one's id and attempts made. */
async function listPending(mockUrl: string, after: number): Promise<{ pushes: Array<{ id: number; attemptCount: number }>; next: number | null }> {
  const res = await fetch(`${mockUrl}/__mock/pushes?state=pending&limit=1000&after=${after}`);
  if (res.status !== 200) throw new Error(`Failed to list the mock's pending pushes: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as { pushes: Array<{ id: number; attemptCount: number }>; next: number | null };
}

/** What waiting for a mock's pushes found: how long it took, and the first attempts that failed meanwhile. */
export interface PushesHandled {
  seconds: number;
  /** Pushes whose first attempt was not acknowledged (no HTTP 200 within 1000 ms): pending again, due for a retry 30 minutes later on the virtual clock. */
  retried: number;
}

/**
 * Waits for a mock's pushes to be handled: each has had its first attempt (delivered, or failed and
 * scheduled for a retry, which the bench's frozen clock never reaches). Pushes are appended in id
 * order and first attempted earliest first, so a cursor walks the pending ones: one already
 * attempted is a retry waiting (counted once, passed for good); the first never attempted means
 * not yet. One watcher per mock: its cursor and count carry over from one wait to the next.
 */
export function createPushesWatcher(mockUrl: string): (timeoutMs?: number) => Promise<PushesHandled> {
  let cursor = 0;
  let retried = 0;
  /** Whether every push has had its first attempt, the cursor moved past the retries found. */
  const allAttempted = async (): Promise<boolean> => {
    for (;;) {
      const page = await listPending(mockUrl, cursor);
      for (const push of page.pushes) {
        if (push.attemptCount === 0) return false;
        retried++;
        cursor = push.id;
      }
      if (page.next === null) return true;
    }
  };
  return async (timeoutMs = 30_000) => {
    const started = performance.now();
    const retriedBefore = retried;
    while (!(await allAttempted())) {
      if (performance.now() - started > timeoutMs) throw new Error(`Failed to measure the pushes: some had not been attempted once ${timeoutMs / 1000} s after the load stopped (is the dispatcher stuck?).`);
      await new Promise((done) => setTimeout(done, 100));
    }
    return { seconds: round2((performance.now() - started) / 1000), retried: retried - retriedBefore };
  };
}

/** The slice's figures from the receiver's counts at its start and end. `creates`: creates answered during the slice. */
export function toPushSlice(before: ReceiverCount, after: ReceiverCount, seconds: number, creates: number, receiverCpuSeconds: number | null, handled: PushesHandled): PushSlice {
  const deliveries = after.delivered - before.delivered;
  return {
    deliveries,
    deliveriesPerSecond: seconds > 0 ? Math.round(deliveries / seconds) : 0,
    deliveriesPerCreate: creates > 0 ? round2(deliveries / creates) : null,
    badSignature: after.badSignature - before.badSignature,
    unsigned: after.unsigned - before.unsigned,
    receiverCpuPercent: receiverCpuSeconds === null || seconds <= 0 ? null : Math.round((receiverCpuSeconds / seconds) * 100),
    retried: handled.retried,
    settleSeconds: handled.seconds,
  };
}

/**
 * Watches one measured slice: first waits for the pushes of earlier load (warm-up, an earlier slice)
 * to be handled (see createPushesWatcher), so they do not count; then reads the receiver's count. The
 * function it gives, called right after the load with the slice's length and the creates answered in
 * it, reads the count again, then waits for the slice's backlog to be handled (outside the slice, so
 * the next row's slice does not run with pushes still going out).
 */
export async function watchPushSlice(waitForPushes: ReturnType<typeof createPushesWatcher>, receiver: PushReceiver): Promise<(seconds: number, creates: number) => Promise<PushSlice>> {
  await waitForPushes();
  const before = await readReceiverCount(receiver.url);
  const cpuBefore = readProcessCpuSeconds(receiver.pid);
  return async (seconds, creates) => {
    const cpuAfter = readProcessCpuSeconds(receiver.pid);
    const after = await readReceiverCount(receiver.url);
    const handled = await waitForPushes();
    return toPushSlice(before, after, seconds, creates, cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore, handled);
  };
}
