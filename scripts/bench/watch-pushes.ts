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
  /** How long after the slice the last pending push was delivered (s): the backlog the slice left. */
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

/** How many of the mock's pushes are still pending (0 or 1: one is enough to know). */
async function hasPendingPush(mockUrl: string): Promise<boolean> {
  const res = await fetch(`${mockUrl}/__mock/pushes?state=pending&limit=1`);
  if (res.status !== 200) throw new Error(`Failed to list the mock's pending pushes: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return ((await res.json()) as { pushes: unknown[] }).pushes.length > 0;
}

/** Waits until the mock has no pending push (each delivered or given up), at most `timeoutMs`; the seconds it took. */
export async function waitForPushesSent(mockUrl: string, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  while (await hasPendingPush(mockUrl)) {
    if (performance.now() - started > timeoutMs) throw new Error(`Failed to measure the pushes: some were still pending ${timeoutMs / 1000} s after the load stopped.`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return round2((performance.now() - started) / 1000);
}

/** The slice's figures from the receiver's counts at its start and end. `creates`: creates answered during the slice. */
export function toPushSlice(before: ReceiverCount, after: ReceiverCount, seconds: number, creates: number, receiverCpuSeconds: number | null, settleSeconds: number): PushSlice {
  const deliveries = after.delivered - before.delivered;
  return {
    deliveries,
    deliveriesPerSecond: seconds > 0 ? Math.round(deliveries / seconds) : 0,
    deliveriesPerCreate: creates > 0 ? round2(deliveries / creates) : null,
    badSignature: after.badSignature - before.badSignature,
    unsigned: after.unsigned - before.unsigned,
    receiverCpuPercent: receiverCpuSeconds === null || seconds <= 0 ? null : Math.round((receiverCpuSeconds / seconds) * 100),
    settleSeconds,
  };
}

/**
 * Watches one measured slice: first waits for the pushes of earlier load (warm-up, an earlier slice)
 * to be sent, so they do not count; then reads the receiver's count. The function it gives, called
 * right after the load with the slice's length and the creates answered in it, reads the count again,
 * then waits for the slice's backlog to be sent (outside the slice, so the next row's slice does not
 * run with pushes still going out).
 */
export async function watchPushSlice(mockUrl: string, receiver: PushReceiver): Promise<(seconds: number, creates: number) => Promise<PushSlice>> {
  await waitForPushesSent(mockUrl);
  const before = await readReceiverCount(receiver.url);
  const cpuBefore = readProcessCpuSeconds(receiver.pid);
  return async (seconds, creates) => {
    const cpuAfter = readProcessCpuSeconds(receiver.pid);
    const after = await readReceiverCount(receiver.url);
    const settleSeconds = await waitForPushesSent(mockUrl);
    return toPushSlice(before, after, seconds, creates, cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore, settleSeconds);
  };
}
