import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { NOT_A_STORE, checkStoreSchema } from "./check-store-schema.js";
import type { SqlDriver } from "./create-sql-store.js";
import { createSqlStore } from "./create-sql-store.js";
import type { KeyFilter } from "./key-filter.js";
import { createKeyFilter } from "./key-filter.js";
import type { Flow, Row } from "./store-flows.js";
import { StoreOpenError } from "./store-open-error.js";
import type { StatementName } from "./store-sql.js";
import { STORE_SCHEMA_VERSION, toStoreMigrations, toStoreSeedRows, toStoreStatements, toStoreTables } from "./store-sql.js";
import type { StateStore, StoreLimits } from "./store.js";
import { DEFAULT_STORE_LIMITS } from "./store.js";

export { DEFAULT_STATE_FILE } from "./default-state-file.js";

export interface SqliteStoreOptions {
  /** The state file (its folder is made if missing), or ":memory:" for a store that ends with the process. */
  file: string;
  limits?: Partial<StoreLimits>;
  /**
   * "normal" (the default): in WAL mode a commit is written to the log file before the call
   * returns, so it survives the process being killed (even `kill -9`: the kernel still holds the
   * write); only an OS crash or power cut can lose the last commits. "full" also waits for the
   * disk (an fsync per commit) and survives those too, at a cost per write.
   */
  synchronous?: "normal" | "full";
  /**
   * false (the default): this process holds the file alone (SQLite's exclusive locking; another
   * process opening it is refused) and keeps a filter of the stored keys, so a get of an id nobody
   * wrote costs no read at all, and a read costs no file locking. true: several processes may use
   * the file at once (WAL lets readers and one writer work together), each get reads the file.
   */
  shared?: boolean;
  /** How long a write waits for another process's write on the same file (default 5 s). */
  busyTimeoutMs?: number;
}

function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  if (file !== ":memory:") {
    try {
      mkdirSync(dirname(resolve(file)), { recursive: true });
    } catch (error) {
      throw new StoreOpenError("cannot-create-folder", file, `Failed to open the state file "${file}": its folder cannot be made (${(error as Error).message}). Choose another file.`, { cause: error });
    }
  }
  try {
    return new Database(file, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new StoreOpenError("cannot-open", file, `Failed to open the state file "${file}": ${(error as Error).message}. Choose another file.`, { cause: error });
  }
}

/** Makes the tables of a new store, or checks that an existing file is a store this version reads (migrating an earlier layout). */
function prepareTables(db: Database.Database, file: string): void {
  const check = db.transaction(() => {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.length === 0) {
      for (const sql of [...toStoreTables("sqlite", ""), ...toStoreSeedRows("")]) db.exec(sql);
      return undefined;
    }
    if (!tables.includes("store_schema")) return NOT_A_STORE;
    const found = checkStoreSchema(db.prepare(toStoreStatements("sqlite", "").readSchema).all() as Row[]);
    if (typeof found !== "number") return found;
    if (found < STORE_SCHEMA_VERSION) for (const sql of toStoreMigrations("sqlite", "", found)) db.exec(sql);
    return undefined;
  });
  const found = check.immediate();
  if (found !== undefined) {
    throw new StoreOpenError(found.code, file, `Failed to open the state file "${file}": it ${found.problem}. Choose another file (or move this one away).`);
  }
}

function configure(db: Database.Database, file: string, synchronous: "normal" | "full", shared: boolean): void {
  try {
    // Before WAL mode is entered: an exclusive connection keeps WAL's index in its own memory.
    if (!shared) db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    prepareTables(db, file);
  } catch (error) {
    db.close();
    if (error instanceof StoreOpenError) throw error;
    const code = (error as { code?: string }).code;
    if (code === "SQLITE_BUSY") {
      throw new StoreOpenError("in-use", file, `Failed to open the state file "${file}": another process holds it (is a mock already running on it?). Stop that process, or choose another file.`, { cause: error });
    }
    const notADatabase = code === "SQLITE_NOTADB";
    const reason = notADatabase ? "it is not a SQLite database, so not a state store" : (error as Error).message;
    throw new StoreOpenError(notADatabase ? "not-a-store" : "cannot-open", file, `Failed to open the state file "${file}": ${reason}. Choose another file (or move this one away).`, { cause: error });
  }
}

/** A filter holding every key stored now (one pass over the key index). */
function readKeyFilter(db: Database.Database, capacity: number): KeyFilter {
  const filter = createKeyFilter(capacity);
  const keys = db.prepare<[], [string, string, string]>("SELECT tenant, type, id FROM entities").raw();
  for (const [tenant, type, id] of keys.iterate()) filter.add(tenant, type, id);
  return filter;
}

function createSqliteDriver(db: Database.Database, keyFilter: KeyFilter | undefined): SqlDriver {
  const sql = toStoreStatements("sqlite", "");
  const statements = new Map<StatementName, Database.Statement>();
  for (const [name, text] of Object.entries(sql)) statements.set(name as StatementName, db.prepare(text));
  const readBody = db.prepare<[string, string, string], string>(sql.getEntity).pluck();
  const execute = (name: StatementName, params: unknown[]): Row[] => {
    const statement = statements.get(name)!;
    if (statement.reader) return statement.all(...params) as Row[];
    statement.run(...params);
    return [];
  };
  const runFlow = db.transaction((flow: Flow<unknown>): unknown => {
    let step = flow.next();
    while (!step.done) step = flow.next(execute(step.value.statement, step.value.params));
    return step.value;
  });
  return {
    query: execute,
    // IMMEDIATE: take the write lock at the start, so two processes never both read then both write.
    transact: <T>(flow: Flow<T>) => runFlow.immediate(flow) as T,
    readBody: (tenant, type, id) => readBody.get(tenant, type, id),
    close: () => {
      db.close();
    },
    ...(keyFilter === undefined ? {} : { keyFilter }),
  };
}

/** A state store in one SQLite file (WAL), or in memory. Throws StoreOpenError when the file is not usable or is held by another process. */
export function createSqliteStore(options: SqliteStoreOptions): StateStore {
  const shared = options.shared === true && options.file !== ":memory:";
  const limits = { ...DEFAULT_STORE_LIMITS, ...options.limits };
  const db = openDatabase(options.file, options.busyTimeoutMs ?? 5000);
  configure(db, options.file, options.synchronous ?? "normal", shared);
  return createSqlStore(createSqliteDriver(db, shared ? undefined : readKeyFilter(db, limits.maxEntities)), limits);
}
