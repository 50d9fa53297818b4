import { checkInteger, checkName } from "./check-name.js";
import { toInvalid } from "./check-room.js";
import type { EntityRecord } from "./entity.js";
import type { KeyFilter } from "./key-filter.js";
import { parseEntityBody, toEntityRow } from "./entity-row.js";
import type { NewPushRow } from "./push-row.js";
import { checkAttempt, toNewPushRow, toPushRecord } from "./push-row.js";
import type { Flow, Row } from "./store-flows.js";
import { appendPushFlow, nextSequenceFlow, putEntityFlow, putManyFlow, putWithPushesFlow, recordAttemptsFlow, resetFlow, setMetaFlow, toStats } from "./store-flows.js";
import type { StatementName } from "./store-sql.js";
import type { AttemptResult, EntityKey, EntityQuery, PushState, PutResult, StateStore, StoreLimits } from "./store.js";
import { MAX_BATCH, MAX_PAGE_SIZE } from "./store.js";
import { parseStoredJson, toStoredJson } from "./stored-json.js";

/** What a database gives the store: reads, flows run in one transaction, and the hot-path read. */
export interface SqlDriver {
  /** One statement outside a transaction (a read, or a write that is one statement). */
  query(statement: StatementName, params: unknown[]): Row[] | Promise<Row[]>;
  /** A flow inside one transaction: all its writes or none. */
  transact<T>(flow: Flow<T>): T | Promise<T>;
  /** The stored body of one entity, or undefined (the mock asks this for every id it answers). */
  readBody(tenant: string, type: string, id: string): string | undefined | Promise<string | undefined>;
  close(): void | Promise<void>;
  /** The keys stored, when this process is the only writer: unknown ids are then answered without a read. */
  keyFilter?: KeyFilter;
}

function toPageSize(limit: number): number {
  return Number.isFinite(limit) ? Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit))) : MAX_PAGE_SIZE;
}

/** The statement and parameters of one page of entities, the filters in key order. */
function toListStep(query: EntityQuery, size: number): [StatementName, unknown[]] {
  const after = query.after;
  const id = after?.id ?? "";
  if (query.tenant !== undefined && query.type !== undefined) return ["listTenantType", [query.tenant, query.type, id, size]];
  if (query.tenant !== undefined) return ["listTenant", [query.tenant, after?.type ?? "", id, size]];
  if (query.type !== undefined) return ["listType", [query.type, id, after?.tenant ?? "", size]];
  return ["listAll", [after?.type ?? "", id, after?.tenant ?? "", size]];
}

/** True when a filter names what no stored record can hold (PostgreSQL would even refuse a NUL). */
function isUnkeepable(...names: Array<string | undefined>): boolean {
  return names.some((name) => name !== undefined && checkName(name, "") !== undefined);
}

const PUSH_STATES: readonly string[] = ["pending", "done", "given-up"] satisfies PushState[];

function toKey(record: EntityRecord): EntityKey {
  return { tenant: record.tenant, type: record.type, id: record.id };
}

/** A StateStore over a SQL database; the SQLite and PostgreSQL stores differ only in their driver. */
export function createSqlStore(driver: SqlDriver, limits: StoreLimits): StateStore {
  let closed = false;
  const filter = driver.keyFilter;
  const remember = (key: EntityKey, result: PutResult) => {
    if (result.ok) filter?.add(key.tenant, key.type, key.id);
  };
  const checkOpen = () => {
    if (closed) throw new Error("Failed to use the state store: it is closed.");
  };
  /** Attempts recorded in one transaction (recordAttempt is one of them); the invalid ones answered without it. */
  const recordAttempts: StateStore["recordAttempts"] = async (items) => {
    checkOpen();
    if (!Array.isArray(items) || items.length > MAX_BATCH) throw new TypeError(`Failed to record attempts: give an array of at most ${MAX_BATCH}.`);
    const results: Array<AttemptResult | undefined> = items.map(({ id, attempt, outcome, claimed }) => {
      const problem = checkInteger(id, "the push id", 1) ?? checkAttempt(attempt, outcome) ?? (claimed === undefined || Array.isArray(claimed?.attempts) ? undefined : "claimed.attempts must be the claimed push's attempts") ?? (claimed === undefined ? undefined : checkInteger(claimed.attemptCount, "claimed.attemptCount"));
      return problem === undefined ? undefined : { ok: false, reason: "invalid", message: `Failed to record an attempt of push ${String(id)}: ${problem}.` };
    });
    const valid = items.filter((_, i) => results[i] === undefined);
    const recorded = valid.length === 0 ? [] : await driver.transact(recordAttemptsFlow(valid, limits));
    let next = 0;
    return results.map((result) => result ?? recorded[next++]!);
  };
  return {
    async get(tenant, type, id) {
      checkOpen();
      if (filter !== undefined && !filter.mightHave(tenant, type, id)) return undefined;
      // Names the store refuses to keep cannot be stored: no need to ask (PostgreSQL would refuse a NUL).
      if (isUnkeepable(tenant, type, id)) return undefined;
      const body = await driver.readBody(tenant, type, id);
      return body === undefined ? undefined : parseEntityBody(body);
    },
    async put(record, expectedVersion) {
      checkOpen();
      const encoded = toEntityRow(record, expectedVersion);
      if (!encoded.ok) return encoded;
      const result = await driver.transact(putEntityFlow(encoded.row, expectedVersion, limits));
      remember(encoded.row, result);
      return result;
    },
    async putWithPushes(record, expectedVersion, pushes) {
      checkOpen();
      if (!Array.isArray(pushes) || pushes.length > MAX_BATCH) throw new TypeError(`Failed to put an entity with its pushes: give an array of at most ${MAX_BATCH} pushes.`);
      const encoded = toEntityRow(record, expectedVersion);
      if (!encoded.ok) return encoded;
      const rows: NewPushRow[] = [];
      for (const push of pushes) {
        const row = toNewPushRow(push);
        if (!row.ok) return row;
        rows.push(row.row);
      }
      const result = await driver.transact(putWithPushesFlow(encoded.row, expectedVersion, rows, limits));
      remember(encoded.row, result);
      return result;
    },
    async putMany(writes) {
      checkOpen();
      if (!Array.isArray(writes) || writes.length > MAX_BATCH) throw new TypeError(`Failed to put entities: give an array of at most ${MAX_BATCH} writes.`);
      const encoded = writes.map(({ record, expectedVersion }) => {
        const row = toEntityRow(record, expectedVersion);
        return row.ok ? { row: row.row, expectedVersion } : row;
      });
      const results = await driver.transact(putManyFlow(encoded, limits));
      results.forEach((result, i) => remember(writes[i]!.record, result));
      return results;
    },
    async list(query) {
      checkOpen();
      if (isUnkeepable(query.tenant, query.type)) return { records: [], next: null };
      if (query.after !== undefined && isUnkeepable(query.after.tenant || "-", query.after.type || "-", query.after.id || "-")) {
        throw new TypeError("Failed to list entities: `after` must be the `next` of a previous page.");
      }
      const size = toPageSize(query.limit);
      const [statement, params] = toListStep(query, size + 1);
      const rows = await driver.query(statement, params);
      const records = rows.slice(0, size).map((row) => parseEntityBody(row.body as string));
      const last = records[records.length - 1];
      return { records, next: rows.length > size && last !== undefined ? toKey(last) : null };
    },
    async listDue({ now, limit, after }) {
      checkOpen();
      const problem = checkInteger(now, "now") ?? (after === undefined ? undefined : (checkInteger(after.at, "after.at") ?? (isUnkeepable(after.tenant, after.type, after.id) ? "`after` must be the `next` of a previous page" : undefined)));
      if (problem !== undefined) throw new TypeError(`Failed to list due entities: ${problem}.`);
      const size = toPageSize(limit);
      // Without `after`: from before any time a timer can hold (every stored name is longer than "").
      const from = after ?? { at: Number.MIN_SAFE_INTEGER, tenant: "", type: "", id: "" };
      const rows = await driver.query("listDue", [now, from.at, from.tenant, from.type, from.id, size + 1]);
      const records = rows.slice(0, size).map((row) => parseEntityBody(row.body as string));
      const last = records[records.length - 1];
      const lastAt = rows[size - 1]?.at;
      return { records, next: rows.length > size && last !== undefined ? { ...toKey(last), at: Number(lastAt) } : null };
    },
    async nextSequence(tenant, name) {
      checkOpen();
      const problem = checkName(tenant, "tenant") ?? checkName(name, "the sequence name");
      if (problem !== undefined) return toInvalid(`Failed to take the next sequence number: ${problem}.`);
      return driver.transact(nextSequenceFlow(tenant, name, limits));
    },
    async append(push) {
      checkOpen();
      const encoded = toNewPushRow(push);
      if (!encoded.ok) return encoded;
      return driver.transact(appendPushFlow(encoded.row, limits));
    },
    async claimDue(now, owner, leaseMs, limit) {
      checkOpen();
      const problem = checkInteger(now, "now") ?? checkName(owner, "owner") ?? checkInteger(leaseMs, "leaseMs", 1);
      if (problem !== undefined) throw new TypeError(`Failed to claim due pushes: ${problem}.`);
      const rows = await driver.query("claimDue", [owner, now + leaseMs, now, now, toPageSize(limit)]);
      // RETURNING gives no order: due first, then appended first.
      return rows.map(toPushRecord).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    },
    async recordAttempt(id, attempt, outcome) {
      return (await recordAttempts([{ id, attempt, outcome }]))[0]!;
    },
    recordAttempts,
    async listPushes(query) {
      checkOpen();
      if (isUnkeepable(query.tenant) || (query.state !== undefined && !PUSH_STATES.includes(query.state))) return { pushes: [], next: null };
      const afterProblem = query.after === undefined ? undefined : checkInteger(query.after, "`after`");
      if (afterProblem !== undefined) throw new TypeError(`Failed to list pushes: ${afterProblem}.`);
      const size = toPageSize(query.limit);
      const tenant = query.tenant ?? null;
      const state = query.state ?? null;
      const rows = await driver.query("listPushes", [tenant, tenant, state, state, query.after ?? 0, size + 1]);
      const pushes = rows.slice(0, size).map(toPushRecord);
      const last = pushes[pushes.length - 1];
      return { pushes, next: rows.length > size && last !== undefined ? last.id : null };
    },
    async getMeta(key) {
      checkOpen();
      if (isUnkeepable(key)) return undefined;
      const [row] = await driver.query("getMeta", [key]);
      return row === undefined ? undefined : parseStoredJson(row.value as string);
    },
    async setMeta(key, value) {
      checkOpen();
      const problem = checkName(key, "the meta key");
      if (problem !== undefined) return toInvalid(`Failed to set meta: ${problem}.`);
      const json = toStoredJson(value, key);
      if (!json.ok) return toInvalid(`Failed to set meta "${key}": ${json.message}.`);
      return driver.transact(setMetaFlow(key, json.text, limits));
    },
    async reset(tenant) {
      checkOpen();
      if (isUnkeepable(tenant)) return;
      await driver.transact(resetFlow(tenant));
      if (tenant === undefined) filter?.clear();
    },
    async stats() {
      checkOpen();
      const [row] = await driver.query("readTotals", []);
      return toStats(row);
    },
    async close() {
      if (closed) return;
      closed = true;
      await driver.close();
    },
  };
}
