import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, onTestFinished } from "vitest";
import { createPgStore } from "../../mock/state/pg-store.js";
import { createSqliteStore } from "../../mock/state/sqlite-store.js";
import type { StateStore, StoreLimits } from "../../mock/state/store.js";

/** A fresh store, and a way to open the same state again (another connection, process-like or replica-like). */
export interface StoreSetup {
  store: StateStore;
  openAnother(): Promise<StateStore>;
}

export interface StoreKind {
  name: string;
  /** Why this kind is skipped, when it is. */
  skipReason?: string;
  setup(limits?: Partial<StoreLimits>): Promise<StoreSetup>;
}

/** The PostgreSQL the tests use: the local server, trust authentication, database `test`. */
export const TEST_PG: pg.PoolConfig = {
  host: process.env.PGHOST ?? "127.0.0.1",
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? "postgres",
  database: process.env.PGDATABASE ?? "test",
};

export const NO_PG = process.env.PANDAPON_MOCK_NO_PG === "1";

function closeAtEnd(store: StateStore): StateStore {
  onTestFinished(() => store.close());
  return store;
}

/** A folder for state files, removed after the test. */
export function createTempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "pandapon-store-"));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

const sqliteFile: StoreKind = {
  name: "SQLite file",
  async setup(limits) {
    const store = closeAtEnd(createSqliteStore({ file: join(createTempFolder(), "state", "store.sqlite"), limits }));
    // The file is this connection's alone (the default): "another" is the same store.
    return { store, openAnother: async () => store };
  },
};

const sqliteShared: StoreKind = {
  name: "SQLite file, shared",
  async setup(limits) {
    const file = join(createTempFolder(), "state", "store.sqlite");
    return {
      store: closeAtEnd(createSqliteStore({ file, limits, shared: true })),
      openAnother: async () => closeAtEnd(createSqliteStore({ file, limits, shared: true })),
    };
  },
};

const sqliteMemory: StoreKind = {
  name: "SQLite memory",
  async setup(limits) {
    const store = closeAtEnd(createSqliteStore({ file: ":memory:", limits }));
    // A memory database belongs to its one connection: "another" is the same store.
    return { store, openAnother: async () => store };
  },
};

/** Schemas made by this test run (pandapon_mock_test_<random>_<n>), dropped when the file's tests end. */
const pgSchemas: string[] = [];
const RUN = randomBytes(4).toString("hex");

export async function dropTestSchemas(): Promise<void> {
  if (pgSchemas.length === 0) return;
  const client = new pg.Client(TEST_PG);
  await client.connect();
  try {
    for (const schema of pgSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A fresh schema name for one test, dropped at the end of the run. */
export function createTestSchemaName(): string {
  const schema = `pandapon_mock_test_${RUN}_${pgSchemas.length + 1}`;
  pgSchemas.push(schema);
  return schema;
}

async function openPg(schema: string, limits?: Partial<StoreLimits>): Promise<StateStore> {
  try {
    return closeAtEnd(await createPgStore({ connection: TEST_PG, schema, limits }));
  } catch (error) {
    throw new Error(`${(error as Error).message} The PostgreSQL store tests need the server (CI starts it); set PANDAPON_MOCK_NO_PG=1 to skip them.`, { cause: error });
  }
}

const postgres: StoreKind = {
  name: "PostgreSQL",
  ...(NO_PG ? { skipReason: "PANDAPON_MOCK_NO_PG=1: the PostgreSQL store is not tested" } : {}),
  async setup(limits) {
    const schema = createTestSchemaName();
    return { store: await openPg(schema, limits), openAnother: () => openPg(schema, limits) };
  },
};

/** Every store kind the conformance suite runs against; call in a test file (registers the schema cleanup). */
export function readStoreKinds(): StoreKind[] {
  afterAll(dropTestSchemas);
  for (const kind of [postgres]) if (kind.skipReason !== undefined) console.warn(`Skipping the ${kind.name} store tests: ${kind.skipReason}.`);
  return [sqliteFile, sqliteShared, sqliteMemory, postgres];
}
