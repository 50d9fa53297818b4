/**
 * The store's tables and statements, written once for SQLite and PostgreSQL. Text columns compare
 * by bytes in both (SQLite's default, COLLATE "C" in PostgreSQL), so pages come in the same order.
 * Statements use `?` placeholders; toPgStatements numbers them for PostgreSQL.
 */
export type Dialect = "sqlite" | "pg";

/** Written in `store_schema` with the version: a database without it is not a store. */
export const STORE_APP = "pandapon-mock";
/** The tables' layout version; a later layout adds migrations from each earlier one (toStoreMigrations). */
export const STORE_SCHEMA_VERSION = 2;

const TOTALS = `entities, pushes, keys, bytes, finished AS "finishedPushes", finished_bytes AS "finishedBytes", refused AS "refusedPushes"`;

const PUSH_COLUMNS = `id, tenant, topic, state, due_at AS "dueAt", created_at AS "createdAt", claimed_by AS "claimedBy", claimed_until AS "claimedUntil", attempt_count AS "attemptCount", payload, attempts`;

/** The tables, in the order they are made; `prefix` is "" or a quoted schema name and a dot. */
export function toStoreTables(dialect: Dialect, prefix: string): string[] {
  const text = dialect === "pg" ? `text COLLATE "C"` : "TEXT";
  const int = dialect === "pg" ? "bigint" : "INTEGER";
  return [
    `CREATE TABLE IF NOT EXISTS ${prefix}store_schema (app ${text} NOT NULL, version ${int} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${prefix}entities (tenant ${text} NOT NULL, type ${text} NOT NULL, id ${text} NOT NULL, version ${int} NOT NULL, size ${int} NOT NULL, body ${text} NOT NULL, next_timer_at ${int}, PRIMARY KEY (tenant, type, id))`,
    `CREATE INDEX IF NOT EXISTS entities_by_type ON ${prefix}entities (type, id, tenant)`,
    toTimerIndex(prefix),
    `CREATE TABLE IF NOT EXISTS ${prefix}pushes (id ${int} PRIMARY KEY, tenant ${text} NOT NULL, topic ${text} NOT NULL, state ${text} NOT NULL, due_at ${int} NOT NULL, created_at ${int} NOT NULL, claimed_by ${text}, claimed_until ${int}, attempt_count ${int} NOT NULL, payload ${text} NOT NULL, attempts ${text} NOT NULL, size ${int} NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS pushes_due ON ${prefix}pushes (due_at, id) WHERE state = 'pending'`,
    `CREATE INDEX IF NOT EXISTS pushes_by_tenant ON ${prefix}pushes (tenant, id)`,
    toFinishedIndex(prefix),
    `CREATE TABLE IF NOT EXISTS ${prefix}sequences (tenant ${text} NOT NULL, name ${text} NOT NULL, value ${int} NOT NULL, PRIMARY KEY (tenant, name))`,
    `CREATE TABLE IF NOT EXISTS ${prefix}meta (name ${text} PRIMARY KEY, value ${text} NOT NULL, size ${int} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${prefix}totals (one ${int} PRIMARY KEY CHECK (one = 1), entities ${int} NOT NULL, pushes ${int} NOT NULL, keys ${int} NOT NULL, bytes ${int} NOT NULL, ${FINISHED_TOTALS.map((c) => `${c} ${int} NOT NULL DEFAULT 0`).join(", ")})`,
  ];
}

/** The totals of the push history (finished pushes, their bytes) and of the pushes refused for want of room. */
const FINISHED_TOTALS = ["finished", "finished_bytes", "refused"] as const;

/** Finished pushes (done, given up) by id: the oldest are dropped first when room is needed. */
function toFinishedIndex(prefix: string): string {
  return `CREATE INDEX IF NOT EXISTS pushes_finished ON ${prefix}pushes (id) WHERE state <> 'pending'`;
}

/** Stored entities by their next timer: the ones due are found without a scan. */
function toTimerIndex(prefix: string): string {
  return `CREATE INDEX IF NOT EXISTS entities_due ON ${prefix}entities (next_timer_at, tenant, type, id) WHERE next_timer_at IS NOT NULL`;
}

/**
 * What brings a store of layout `from` to STORE_SCHEMA_VERSION, run in the transaction that opens
 * it (one process at a time). Layout 1 → 2: entities get `next_timer_at` (the earliest of the
 * record's timers, from the stored JSON) and its index; the totals count the finished pushes (the
 * history, bounded) and the refused ones.
 */
export function toStoreMigrations(dialect: Dialect, prefix: string, from: number): string[] {
  const steps: string[] = [];
  if (from < 2) {
    const earliest =
      dialect === "pg"
        ? // PostgreSQL's JSON refuses the \u0000 that marks stored bigints: only the timers are parsed (the record's last members, in a fixed order: entity-row.ts).
          `(SELECT MIN((timer->>'at')::bigint) FROM json_array_elements(substring(body from '^.*"timers":(\\[.*\\]),"version":[0-9]+,"createdAt":-?[0-9]+,"updatedAt":-?[0-9]+\\}$')::json) AS timer)`
        : `(SELECT MIN(json_extract(timer.value, '$.at')) FROM json_each(body, '$.timers') AS timer)`;
    steps.push(
      `ALTER TABLE ${prefix}entities ADD COLUMN next_timer_at ${dialect === "pg" ? "bigint" : "INTEGER"}`,
      `UPDATE ${prefix}entities SET next_timer_at = ${earliest}`,
      toTimerIndex(prefix),
      ...FINISHED_TOTALS.map((c) => `ALTER TABLE ${prefix}totals ADD COLUMN ${c} ${dialect === "pg" ? "bigint" : "INTEGER"} NOT NULL DEFAULT 0`),
      `UPDATE ${prefix}totals SET finished = (SELECT COUNT(*) FROM ${prefix}pushes WHERE state <> 'pending'), finished_bytes = (SELECT COALESCE(SUM(size), 0) FROM ${prefix}pushes WHERE state <> 'pending')`,
      toFinishedIndex(prefix),
    );
  }
  steps.push(`UPDATE ${prefix}store_schema SET version = ${STORE_SCHEMA_VERSION}`);
  return steps;
}

/** Run once, right after the tables are made in an empty database. */
export function toStoreSeedRows(prefix: string): string[] {
  return [
    `INSERT INTO ${prefix}totals (one, entities, pushes, keys, bytes) VALUES (1, 0, 0, 0, 0)`,
    `INSERT INTO ${prefix}store_schema (app, version) VALUES ('${STORE_APP}', ${STORE_SCHEMA_VERSION})`,
  ];
}

/** Every statement the stores run, by name. */
export function toStoreStatements(dialect: Dialect, p: string) {
  const skipLocked = dialect === "pg" ? " FOR UPDATE SKIP LOCKED" : "";
  const lock = dialect === "pg" ? " FOR UPDATE" : "";
  const list = (where: string, order: string) => `SELECT body FROM ${p}entities WHERE ${where} ORDER BY ${order} LIMIT ?`;
  return {
    readSchema: `SELECT app, version FROM ${p}store_schema`,
    getEntity: `SELECT body FROM ${p}entities WHERE tenant = ? AND type = ? AND id = ?`,
    // Without `after`, the lowest key is ("", "", ""): every stored name is longer.
    listAll: list(`(type, id, tenant) > (?, ?, ?)`, "type, id, tenant"),
    listTenant: list(`tenant = ? AND (type, id) > (?, ?)`, "type, id"),
    listType: list(`type = ? AND (id, tenant) > (?, ?)`, "id, tenant"),
    listTenantType: list(`tenant = ? AND type = ? AND id > ?`, "id"),
    // Every write locks the totals row first: writers take their turns, so a count never drifts.
    lockTotals: `SELECT ${TOTALS} FROM ${p}totals WHERE one = 1${lock}`,
    readTotals: `SELECT ${TOTALS} FROM ${p}totals WHERE one = 1`,
    addTotals: `UPDATE ${p}totals SET entities = entities + ?, pushes = pushes + ?, keys = keys + ?, bytes = bytes + ?, finished = finished + ?, finished_bytes = finished_bytes + ?, refused = refused + ? WHERE one = 1`,
    zeroTotals: `UPDATE ${p}totals SET entities = 0, pushes = 0, keys = 0, bytes = 0, finished = 0, finished_bytes = 0, refused = 0 WHERE one = 1`,
    readEntity: `SELECT version, size FROM ${p}entities WHERE tenant = ? AND type = ? AND id = ?`,
    insertEntity: `INSERT INTO ${p}entities (tenant, type, id, version, size, body, next_timer_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    updateEntity: `UPDATE ${p}entities SET version = ?, size = ?, body = ?, next_timer_at = ? WHERE tenant = ? AND type = ? AND id = ?`,
    // Entities with a timer due by `now`, earliest first, after the cursor (at, tenant, type, id).
    listDue: `SELECT body, next_timer_at AS "at" FROM ${p}entities WHERE next_timer_at <= ? AND (next_timer_at, tenant, type, id) > (?, ?, ?, ?) ORDER BY next_timer_at, tenant, type, id LIMIT ?`,
    bumpSequence: `UPDATE ${p}sequences SET value = value + 1 WHERE tenant = ? AND name = ? RETURNING value`,
    insertSequence: `INSERT INTO ${p}sequences (tenant, name, value) VALUES (?, ?, 1)`,
    getMeta: `SELECT value FROM ${p}meta WHERE name = ?`,
    readMetaSize: `SELECT size FROM ${p}meta WHERE name = ?`,
    upsertMeta: `INSERT INTO ${p}meta (name, value, size) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, size = excluded.size`,
    nextPushId: `SELECT COALESCE(MAX(id), 0) + 1 AS id FROM ${p}pushes`,
    insertPush: `INSERT INTO ${p}pushes (id, tenant, topic, state, due_at, created_at, claimed_by, claimed_until, attempt_count, payload, attempts, size) VALUES (?, ?, ?, 'pending', ?, ?, NULL, NULL, 0, ?, '[]', ?)`,
    // One statement: the due pushes no one holds (or whose lease ended) become the claimer's.
    claimDue: `UPDATE ${p}pushes SET claimed_by = ?, claimed_until = ? WHERE id IN (SELECT id FROM ${p}pushes WHERE state = 'pending' AND due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY due_at, id LIMIT ?${skipLocked}) RETURNING ${PUSH_COLUMNS}`,
    readPush: `SELECT state, claimed_by AS "claimedBy", attempts, size FROM ${p}pushes WHERE id = ?`,
    recordAttempt: `UPDATE ${p}pushes SET state = ?, due_at = COALESCE(?, due_at), claimed_by = NULL, claimed_until = NULL, attempt_count = attempt_count + 1, attempts = ?, size = ? WHERE id = ?`,
    // The same without reading the push first: done only while it is as its owner claimed it; its new size.
    recordClaimedAttempt: `UPDATE ${p}pushes SET state = ?, due_at = COALESCE(?, due_at), claimed_by = NULL, claimed_until = NULL, attempt_count = attempt_count + 1, attempts = ?, size = size + ? WHERE id = ? AND state = 'pending' AND claimed_by = ? AND attempt_count = ? RETURNING size`,
    listPushes: `SELECT ${PUSH_COLUMNS} FROM ${p}pushes WHERE (CAST(? AS TEXT) IS NULL OR tenant = ?) AND (CAST(? AS TEXT) IS NULL OR state = ?) AND id > ? ORDER BY id LIMIT ?`,
    sumEntitiesOf: `SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM ${p}entities WHERE tenant = ?`,
    sumPushesOf: `SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes, COALESCE(SUM(CASE WHEN state <> 'pending' THEN 1 ELSE 0 END), 0) AS finished, COALESCE(SUM(CASE WHEN state <> 'pending' THEN size ELSE 0 END), 0) AS "finishedBytes" FROM ${p}pushes WHERE tenant = ?`,
    // The oldest finished pushes (never a pending one), what each held.
    dropFinished: `DELETE FROM ${p}pushes WHERE id IN (SELECT id FROM ${p}pushes WHERE state <> 'pending' ORDER BY id LIMIT ?) RETURNING size`,
    countSequencesOf: `SELECT COUNT(*) AS count FROM ${p}sequences WHERE tenant = ?`,
    deleteEntitiesOf: `DELETE FROM ${p}entities WHERE tenant = ?`,
    deletePushesOf: `DELETE FROM ${p}pushes WHERE tenant = ?`,
    deleteSequencesOf: `DELETE FROM ${p}sequences WHERE tenant = ?`,
    deleteEntities: `DELETE FROM ${p}entities`,
    deletePushes: `DELETE FROM ${p}pushes`,
    deleteSequences: `DELETE FROM ${p}sequences`,
    deleteMeta: `DELETE FROM ${p}meta`,
  };
}

export type StoreStatements = ReturnType<typeof toStoreStatements>;
export type StatementName = keyof StoreStatements;

/** `?` placeholders numbered `$1, $2…` for PostgreSQL (the statements hold no `?` in literals). */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
