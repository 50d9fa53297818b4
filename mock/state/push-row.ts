import { checkInteger, checkName } from "./check-name.js";
import { toInvalid } from "./check-room.js";
import type { AttemptOutcome, NewPush, PushAttempt, PushRecord, PushState, Refusal } from "./store.js";
import { MAX_ATTEMPTS_KEPT } from "./store.js";
import { parseStoredJson, toStoredJson } from "./stored-json.js";

/** A new push as stored: its payload as JSON text, and how many bytes it counts for. */
export interface NewPushRow {
  tenant: string;
  topic: string;
  payload: string;
  dueAt: number;
  createdAt: number;
  size: number;
}

/** Longest URL and error text kept in an attempt; longer ones are cut (the log stays bounded). */
export const MAX_ATTEMPT_TEXT = 2000;

/** The bytes a push counts for: its payload and attempt log. */
export function toPushSize(payload: string, attempts: string): number {
  return Buffer.byteLength(payload) + Buffer.byteLength(attempts);
}

export function toNewPushRow(push: NewPush): { ok: true; row: NewPushRow } | Refusal {
  const problem =
    checkName(push.tenant, "tenant") ??
    checkName(push.topic, "topic") ??
    checkInteger(push.dueAt, "dueAt") ??
    checkInteger(push.createdAt, "createdAt");
  if (problem !== undefined) return toInvalid(`Failed to append the push: ${problem}.`);
  const json = toStoredJson(push.payload, "payload");
  if (!json.ok) return toInvalid(`Failed to append the push: ${json.message}.`);
  const { tenant, topic, dueAt, createdAt } = push;
  return { ok: true, row: { tenant, topic, payload: json.text, dueAt, createdAt, size: toPushSize(json.text, "[]") } };
}

/** Why an attempt or its outcome cannot be recorded, or undefined. */
export function checkAttempt(attempt: PushAttempt, outcome: AttemptOutcome): string | undefined {
  if (attempt === null || typeof attempt !== "object") return "the attempt must be an object";
  return (
    checkInteger(attempt.at, "attempt.at") ??
    checkName(attempt.owner, "attempt.owner") ??
    (attempt.url === undefined || typeof attempt.url === "string" ? undefined : "attempt.url must be a string") ??
    (attempt.status === undefined ? undefined : checkInteger(attempt.status, "attempt.status")) ??
    (attempt.latencyMs === undefined || (Number.isFinite(attempt.latencyMs) && attempt.latencyMs >= 0) ? undefined : "attempt.latencyMs must be a number ≥ 0") ??
    (attempt.error === undefined || typeof attempt.error === "string" ? undefined : "attempt.error must be a string") ??
    (outcome === "done" || outcome === "given-up" ? undefined : checkInteger((outcome as { nextAt?: unknown } | null)?.nextAt, "outcome.nextAt"))
  );
}

/** The attempt log (its text) with `attempt` added at the end, the oldest dropped beyond MAX_ATTEMPTS_KEPT. */
export function toAttemptLog(log: readonly PushAttempt[], attempt: PushAttempt): string {
  const kept: PushAttempt = { at: attempt.at, owner: attempt.owner };
  if (attempt.url !== undefined) kept.url = attempt.url.slice(0, MAX_ATTEMPT_TEXT);
  if (attempt.status !== undefined) kept.status = attempt.status;
  if (attempt.latencyMs !== undefined) kept.latencyMs = attempt.latencyMs;
  if (attempt.error !== undefined) kept.error = attempt.error.slice(0, MAX_ATTEMPT_TEXT);
  return JSON.stringify([...log.slice(Math.max(0, log.length + 1 - MAX_ATTEMPTS_KEPT)), kept]);
}

export function toOutcomeState(outcome: AttemptOutcome): { state: PushState; dueAt: number | null } {
  return typeof outcome === "string" ? { state: outcome, dueAt: null } : { state: "pending", dueAt: outcome.nextAt };
}

/** A row read back with the columns of PUSH_COLUMNS. */
export function toPushRecord(row: Record<string, unknown>): PushRecord {
  return {
    id: Number(row.id),
    tenant: row.tenant as string,
    topic: row.topic as string,
    payload: parseStoredJson(row.payload as string),
    dueAt: Number(row.dueAt),
    createdAt: Number(row.createdAt),
    state: row.state as PushState,
    attemptCount: Number(row.attemptCount),
    attempts: JSON.parse(row.attempts as string) as PushAttempt[],
    claimedBy: (row.claimedBy as string | null) ?? null,
    claimedUntil: row.claimedUntil === null || row.claimedUntil === undefined ? null : Number(row.claimedUntil),
  };
}
