import type { Growth } from "./check-room.js";
import { checkRoom } from "./check-room.js";
import type { EntityRow } from "./entity-row.js";
import type { NewPushRow } from "./push-row.js";
import { toAttemptLog, toOutcomeState } from "./push-row.js";
import type { StatementName } from "./store-sql.js";
import type { AppendResult, AttemptResult, AttemptToRecord, PushAttempt, PushState, PutResult, Refusal, SequenceResult, StoreLimits, StoreStats, WriteResult } from "./store.js";

/**
 * Each write of the store as one flow: a generator that yields the statements it needs and gets
 * their rows back. The SQLite store runs a flow synchronously inside one transaction, the
 * PostgreSQL store awaits each statement inside one transaction: the same decisions, written once.
 * Every flow locks the totals row first, so concurrent writers (processes, replicas) take turns
 * and a check made in a flow still holds when it writes.
 */
export type Row = Record<string, unknown>;
export interface Step {
  statement: StatementName;
  params: unknown[];
}
export type Flow<T> = Generator<Step, T, Row[]>;

function* run(statement: StatementName, ...params: unknown[]): Flow<Row[]> {
  return yield { statement, params };
}

export function toStats(row: Row | undefined): StoreStats {
  const read = (name: keyof StoreStats) => Number(row?.[name] ?? 0);
  return { entities: read("entities"), pushes: read("pushes"), keys: read("keys"), bytes: read("bytes"), finishedPushes: read("finishedPushes"), finishedBytes: read("finishedBytes"), refusedPushes: read("refusedPushes") };
}

function* lockTotals(): Flow<StoreStats> {
  const [row] = yield* run("lockTotals");
  return toStats(row);
}

function* addTotals(growth: Growth): Flow<void> {
  yield* run("addTotals", growth.entities ?? 0, growth.pushes ?? 0, growth.keys ?? 0, growth.bytes, growth.finishedPushes ?? 0, growth.finishedBytes ?? 0, growth.refusedPushes ?? 0);
}

/** The totals once `growth` is added. */
function grow(totals: StoreStats, growth: Growth): StoreStats {
  const next = { ...totals };
  for (const [key, value] of Object.entries(growth) as Array<[keyof StoreStats, number | undefined]>) next[key] += value ?? 0;
  return next;
}

/**
 * Drops the oldest finished pushes (lowest id; never a pending one) until `count` of them and
 * `bytes` are gone or none is left; the totals after.
 */
function* dropFinished(totals: StoreStats, count: number, bytes: number): Flow<StoreStats> {
  let current = totals;
  while ((count > 0 || bytes > 0) && current.finishedPushes > 0) {
    // For bytes: as many as the average finished push would free (then more, one round at a time, if they were smaller).
    const forBytes = bytes > 0 ? Math.ceil(bytes / Math.max(1, current.finishedBytes / current.finishedPushes)) : 0;
    const rows = yield* run("dropFinished", Math.max(count, forBytes));
    if (rows.length === 0) break;
    const freed = rows.reduce((sum, row) => sum + Number(row.size), 0);
    const growth = { pushes: -rows.length, bytes: -freed, finishedPushes: -rows.length, finishedBytes: -freed };
    yield* addTotals(growth);
    current = grow(current, growth);
    count -= rows.length;
    bytes -= freed;
  }
  return current;
}

/** Room for `count` new pushes of `bytes` (and `entityBytes` more of an entity), the oldest finished pushes dropped for it; the totals after. */
function* makeRoomForPushes(totals: StoreStats, limits: StoreLimits, count: number, bytes: number): Flow<StoreStats> {
  return yield* dropFinished(totals, totals.pushes + count - limits.maxPushes, totals.bytes + bytes - limits.maxBytes);
}

export function* putEntityFlow(row: EntityRow, expectedVersion: number, limits: StoreLimits): Flow<PutResult> {
  return yield* putWithPushesFlow(row, expectedVersion, [], limits);
}

/**
 * An entity write and the pushes it emits, in one transaction: both or neither (a conflict or a
 * full store refuses the whole write, and nothing is appended).
 */
export function* putWithPushesFlow(row: EntityRow, expectedVersion: number, pushes: ReadonlyArray<NewPushRow>, limits: StoreLimits): Flow<PutResult> {
  let totals = yield* lockTotals();
  const [current] = yield* run("readEntity", row.tenant, row.type, row.id);
  const version = current === undefined ? 0 : Number(current.version);
  if (version !== expectedVersion) {
    const message = `Failed to store the entity ${row.type} "${row.id}": version ${version} is stored, the write expected ${expectedVersion}${version === 0 ? " (none is stored)" : ""}. Read it again and retry.`;
    return { ok: false, reason: "conflict", version, message };
  }
  const entity = { entities: current === undefined ? 1 : 0, bytes: row.size - Number(current?.size ?? 0) };
  const full = checkRoom(totals, limits, entity);
  if (full !== undefined) return full;
  const pushBytes = pushes.reduce((sum, push) => sum + push.size, 0);
  let refused: Refusal | undefined;
  if (pushes.length > 0) {
    totals = yield* makeRoomForPushes(totals, limits, pushes.length, entity.bytes + pushBytes);
    refused = checkRoom(totals, limits, { pushes: pushes.length, bytes: entity.bytes + pushBytes });
  }
  if (current === undefined) yield* run("insertEntity", row.tenant, row.type, row.id, row.version, row.size, row.body, row.nextTimerAt);
  else yield* run("updateEntity", row.version, row.size, row.body, row.nextTimerAt, row.tenant, row.type, row.id);
  if (pushes.length > 0 && refused === undefined) yield* insertPushes(pushes);
  yield* addTotals(refused === undefined ? { ...entity, pushes: pushes.length, bytes: entity.bytes + pushBytes } : { ...entity, refusedPushes: pushes.length });
  return refused === undefined ? { ok: true, version: row.version } : { ok: true, version: row.version, refusedPushes: { count: pushes.length, message: refused.message } };
}

/** Appends pushes with the next ids; the first one's id. */
function* insertPushes(pushes: ReadonlyArray<NewPushRow>): Flow<number> {
  const [next] = yield* run("nextPushId");
  const first = Number(next?.id ?? 1);
  let id = first;
  for (const push of pushes) yield* run("insertPush", id++, push.tenant, push.topic, push.dueAt, push.createdAt, push.payload, push.size);
  return first;
}

/** Each write checked and done as putEntityFlow does, in one transaction; refused writes are skipped. */
export function* putManyFlow(writes: ReadonlyArray<{ row: EntityRow; expectedVersion: number } | Refusal>, limits: StoreLimits): Flow<PutResult[]> {
  const results: PutResult[] = [];
  for (const write of writes) results.push("row" in write ? yield* putEntityFlow(write.row, write.expectedVersion, limits) : write);
  return results;
}

export function* nextSequenceFlow(tenant: string, name: string, limits: StoreLimits): Flow<SequenceResult> {
  const totals = yield* lockTotals();
  const [bumped] = yield* run("bumpSequence", tenant, name);
  if (bumped !== undefined) return { ok: true, value: Number(bumped.value) };
  const growth = { keys: 1, bytes: 0 };
  const full = checkRoom(totals, limits, growth);
  if (full !== undefined) return full;
  yield* run("insertSequence", tenant, name);
  yield* addTotals(growth);
  return { ok: true, value: 1 };
}

export function* setMetaFlow(name: string, text: string, limits: StoreLimits): Flow<WriteResult> {
  const totals = yield* lockTotals();
  const [current] = yield* run("readMetaSize", name);
  const size = Buffer.byteLength(text);
  const growth = { keys: current === undefined ? 1 : 0, bytes: size - Number(current?.size ?? 0) };
  const full = checkRoom(totals, limits, growth);
  if (full !== undefined) return full;
  yield* run("upsertMeta", name, text, size);
  yield* addTotals(growth);
  return { ok: true };
}

/** One push appended, room made for it by dropping the oldest finished; refused (and counted) when the outbox is full of pending pushes. */
export function* appendPushFlow(row: NewPushRow, limits: StoreLimits): Flow<AppendResult> {
  const totals = yield* makeRoomForPushes(yield* lockTotals(), limits, 1, row.size);
  const growth = { pushes: 1, bytes: row.size };
  const full = checkRoom(totals, limits, growth);
  if (full !== undefined) {
    yield* addTotals({ bytes: 0, refusedPushes: 1 });
    return full;
  }
  const id = yield* insertPushes([row]);
  yield* addTotals(growth);
  return { ok: true, id };
}

/**
 * Attempts of several pushes in one transaction, each checked and recorded as recordAttempt does.
 * A push's attempt log grows by one entry at most (bounded by MAX_ATTEMPTS_KEPT): never refused as
 * full. A push that finishes joins the history, whose oldest are dropped beyond its bounds. An
 * attempt given with the push as claimed is written without reading the push (see AttemptToRecord).
 */
export function* recordAttemptsFlow(items: ReadonlyArray<AttemptToRecord>, limits: StoreLimits): Flow<AttemptResult[]> {
  const totals = yield* lockTotals();
  const results: AttemptResult[] = [];
  const growth = { bytes: 0, finishedPushes: 0, finishedBytes: 0 };
  for (const item of items) {
    const { state, dueAt } = toOutcomeState(item.outcome);
    const recorded = (item.claimed && (yield* recordClaimed(item, item.claimed, state, dueAt))) || (yield* recordRead(item, state, dueAt));
    if (!recorded.ok) {
      results.push(recorded);
      continue;
    }
    growth.bytes += recorded.added;
    if (state !== "pending") {
      growth.finishedPushes++;
      growth.finishedBytes += recorded.size;
    }
    results.push({ ok: true });
  }
  yield* addTotals(growth);
  const after = grow(totals, growth);
  yield* dropFinished(after, after.finishedPushes - limits.maxPushHistory, after.finishedBytes - limits.maxPushHistoryBytes);
  return results;
}

/** An attempt written: the push's size now and the bytes it grew by. */
type Recorded = { ok: true; size: number; added: number };

/** The attempt written by one update that holds only while the push is as claimed; undefined when it is not (then read it). */
function* recordClaimed({ id, attempt }: AttemptToRecord, claimed: NonNullable<AttemptToRecord["claimed"]>, state: PushState, dueAt: number | null): Flow<Recorded | undefined> {
  // The log's text is what JSON.stringify wrote (toAttemptLog), so the claimed log written again has its bytes.
  const attempts = toAttemptLog(claimed.attempts, attempt);
  const added = Buffer.byteLength(attempts) - Buffer.byteLength(JSON.stringify(claimed.attempts));
  const [row] = yield* run("recordClaimedAttempt", state, dueAt, attempts, added, id, attempt.owner, claimed.attemptCount);
  return row === undefined ? undefined : { ok: true, size: Number(row.size), added };
}

/** The attempt written after reading the push: refused when it is unknown or not claimed by the attempt's owner. */
function* recordRead({ id, attempt }: AttemptToRecord, state: PushState, dueAt: number | null): Flow<Recorded | Extract<AttemptResult, { ok: false }>> {
  const [push] = yield* run("readPush", id);
  if (push === undefined) return { ok: false, reason: "unknown", message: `Failed to record an attempt of push ${id}: there is no such push.` };
  if (push.state !== "pending" || push.claimedBy !== attempt.owner) {
    const holder = push.state !== "pending" ? `is ${String(push.state)}` : push.claimedBy === null ? "is not claimed" : `is claimed by "${String(push.claimedBy)}"`;
    return { ok: false, reason: "not-claimed", message: `Failed to record an attempt of push ${id} by "${attempt.owner}": it ${holder} (a lease that ended may have been taken over).` };
  }
  const before = push.attempts as string;
  const attempts = toAttemptLog(JSON.parse(before) as PushAttempt[], attempt);
  const size = Number(push.size) - Buffer.byteLength(before) + Buffer.byteLength(attempts);
  yield* run("recordAttempt", state, dueAt, attempts, size, id);
  return { ok: true, size, added: size - Number(push.size) };
}

export function* resetFlow(tenant: string | undefined): Flow<void> {
  yield* lockTotals();
  if (tenant === undefined) {
    for (const statement of ["deleteEntities", "deletePushes", "deleteSequences", "deleteMeta", "zeroTotals"] as const) yield* run(statement);
    return;
  }
  const [entities] = yield* run("sumEntitiesOf", tenant);
  const [pushes] = yield* run("sumPushesOf", tenant);
  const [sequences] = yield* run("countSequencesOf", tenant);
  for (const statement of ["deleteEntitiesOf", "deletePushesOf", "deleteSequencesOf"] as const) yield* run(statement, tenant);
  yield* addTotals({
    entities: -Number(entities?.count ?? 0),
    pushes: -Number(pushes?.count ?? 0),
    keys: -Number(sequences?.count ?? 0),
    bytes: -Number(entities?.bytes ?? 0) - Number(pushes?.bytes ?? 0),
    finishedPushes: -Number(pushes?.finished ?? 0),
    finishedBytes: -Number(pushes?.finishedBytes ?? 0),
  });
}
