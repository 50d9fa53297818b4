import pg from "pg";
import type { StoreSchemaProblem } from "./check-store-schema.js";
import { NOT_A_STORE, checkStoreSchema } from "./check-store-schema.js";
import type { SqlDriver } from "./create-sql-store.js";
import { createSqlStore } from "./create-sql-store.js";
import type { Flow, Row } from "./store-flows.js";
import { StoreOpenError } from "./store-open-error.js";
import type { StatementName, StoreStatements } from "./store-sql.js";
import { STORE_SCHEMA_VERSION, toPgPlaceholders, toStoreMigrations, toStoreSeedRows, toStoreStatements, toStoreTables } from "./store-sql.js";
import type { StateStore, StoreLimits } from "./store.js";
import { DEFAULT_STORE_LIMITS } from "./store.js";

export interface PgStoreOptions {
  /** How to reach PostgreSQL (pg's pool settings); default 127.0.0.1:5432, pg's usual environment variables apply. */
  connection?: pg.PoolConfig;
  /** The schema that holds the store's tables, made if missing; replicas sharing state name the same one. */
  schema?: string;
  limits?: Partial<StoreLimits>;
}

export const DEFAULT_PG_SCHEMA = "pandapon_mock";
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Host, port, database and schema, for messages: never the password or the whole connection string. */
function toWhere(connection: pg.PoolConfig, schema: string): string {
  let host = connection.host ?? process.env.PGHOST ?? "127.0.0.1";
  let port = String(connection.port ?? process.env.PGPORT ?? 5432);
  let database = connection.database ?? process.env.PGDATABASE ?? "(the user's)";
  if (connection.connectionString !== undefined) {
    try {
      const url = new URL(connection.connectionString);
      [host, port, database] = [url.hostname, url.port || "5432", url.pathname.slice(1) || database];
    } catch {
      host = "(the connection string's host)";
    }
  }
  return `PostgreSQL at ${host}:${port}, database ${database}, schema ${schema}`;
}

/** Makes the schema and tables of a new store, or checks (and migrates) an existing one; replicas starting together take turns. */
async function prepareSchema(client: pg.PoolClient, schema: string): Promise<StoreSchemaProblem | undefined> {
  const prefix = `"${schema}".`;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`pandapon-mock:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const tables = await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1", [schema]);
    let problem: StoreSchemaProblem | undefined;
    if (tables.rows.length === 0) {
      for (const sql of [...toStoreTables("pg", prefix), ...toStoreSeedRows(prefix)]) await client.query(sql);
    } else if (tables.rows.some((row) => row.name === "store_schema")) {
      const found = checkStoreSchema((await client.query(toStoreStatements("pg", prefix).readSchema)).rows as Row[]);
      if (typeof found !== "number") problem = found;
      else if (found < STORE_SCHEMA_VERSION) for (const sql of toStoreMigrations("pg", prefix, found)) await client.query(sql);
    } else {
      problem = NOT_A_STORE;
    }
    await client.query("COMMIT");
    return problem;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

function createPgDriver(pool: pg.Pool, statements: StoreStatements): SqlDriver {
  const texts = new Map<StatementName, string>();
  for (const [name, sql] of Object.entries(statements)) texts.set(name as StatementName, toPgPlaceholders(sql));
  // Named: each connection prepares a statement once and reuses its plan.
  const toQuery = (name: StatementName, values: unknown[]) => ({ name: `pandapon_mock_${name}`, text: texts.get(name)!, values });
  const query = async (name: StatementName, values: unknown[]) => (await pool.query(toQuery(name, values))).rows as Row[];
  return {
    query,
    async transact<T>(flow: Flow<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        let step = flow.next();
        while (!step.done) step = flow.next((await client.query(toQuery(step.value.statement, step.value.params))).rows as Row[]);
        await client.query("COMMIT");
        client.release();
        return step.value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        client.release(true);
        throw error;
      }
    },
    async readBody(tenant, type, id) {
      const [row] = await query("getEntity", [tenant, type, id]);
      return row?.body as string | undefined;
    },
    close: () => pool.end(),
  };
}

/**
 * A state store in a PostgreSQL schema, shared by every replica that opens the same one: writes
 * take turns on the totals row, and pushes are claimed with FOR UPDATE SKIP LOCKED, so two
 * replicas never claim the same push. Throws StoreOpenError when the server cannot be reached or
 * the schema is not a store.
 */
export async function createPgStore(options: PgStoreOptions = {}): Promise<StateStore> {
  const schema = options.schema ?? DEFAULT_PG_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`Failed to open the PostgreSQL store: schema "${schema}" must be lowercase letters, digits and _ (a letter or _ first, at most 63).`);
  const connection: pg.PoolConfig = { host: "127.0.0.1", port: 5432, max: 4, ...options.connection };
  const where = toWhere(connection, schema);
  const pool = new pg.Pool(connection);
  // An idle connection that breaks must not end the process; the next query reports the failure.
  pool.on("error", () => undefined);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end();
    throw new StoreOpenError("unreachable", where, `Failed to open the state store in ${where}: ${(error as Error).message || String(error)}. Is the server running, and may this user connect?`, { cause: error });
  }
  try {
    const found = await prepareSchema(client, schema);
    if (found !== undefined) throw new StoreOpenError(found.code, where, `Failed to open the state store in ${where}: it ${found.problem}. Name another schema.`);
  } catch (error) {
    client.release();
    await pool.end();
    if (error instanceof StoreOpenError) throw error;
    throw new StoreOpenError("cannot-open", where, `Failed to open the state store in ${where}: ${(error as Error).message}.`, { cause: error });
  }
  client.release();
  return createSqlStore(createPgDriver(pool, toStoreStatements("pg", `"${schema}".`)), { ...DEFAULT_STORE_LIMITS, ...options.limits });
}
