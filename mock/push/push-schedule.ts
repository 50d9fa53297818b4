/**
 * The documented delivery rules of PandaPon message pushes: acknowledged only by HTTP 200 within
 * 1000 ms; otherwise retried 30 minutes later (on the virtual clock), at most 5 retries, then given up.
 */
export const ACK_TIMEOUT_MS = 1000;
export const RETRY_AFTER_MS = 30 * 60 * 1000;
export const MAX_RETRIES = 5;

/** What follows an attempt: done, another attempt at `nextAt`, or given up (the attempt was the last of 1 + MAX_RETRIES). */
export function toNextStep(acknowledged: boolean, attemptsBefore: number, at: number): "done" | "given-up" | { nextAt: number } {
  if (acknowledged) return "done";
  return attemptsBefore + 1 > MAX_RETRIES ? "given-up" : { nextAt: at + RETRY_AFTER_MS };
}
