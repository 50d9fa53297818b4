import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createPgStore } from "../mock/state/pg-store.js";
import { StoreOpenError } from "../mock/state/store-open-error.js";
import { NO_PG, TEST_PG, createTestSchemaName, dropTestSchemas } from "./helpers/store-setups.js";
import { toTestRecord, writeLayoutSample } from "./helpers/test-record.js";

afterAll(dropTestSchemas);

async function openError(open: () => Promise<unknown>): Promise<StoreOpenError> {
  try {
    await open();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreOpenError);
    return error as StoreOpenError;
  }
  throw new Error("the store opened");
}

async function runSql(...statements: string[]): Promise<void> {
  const client = new pg.Client(TEST_PG);
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("PostgreSQL store opening", () => {
  it("says where it could not connect, without the password", async () => {
    const error = await openError(() => createPgStore({ connection: { ...TEST_PG, host: "127.0.0.1", port: 1, password: "s3cret-pw" }, schema: "nowhere" }));
    expect(error.code).toBe("unreachable");
    expect(error.message).toMatch(/^Failed to open the state store in PostgreSQL at 127\.0\.0\.1:1, database \w+, schema nowhere: .*ECONNREFUSED.*Is the server running/);
    expect(error.message).not.toContain("s3cret-pw");
    expect(error.where).not.toContain("s3cret-pw");
  });

  it("refuses a schema name it would have to quote", async () => {
    await expect(createPgStore({ connection: TEST_PG, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/must be lowercase letters, digits and _/);
  });

  describe.skipIf(NO_PG)("against the local server", () => {
    it("refuses a schema that holds another program's tables, or a newer store layout", async () => {
      const other = createTestSchemaName();
      await runSql(`CREATE SCHEMA "${other}"`, `CREATE TABLE "${other}".users (name text)`);
      const error = await openError(() => createPgStore({ connection: TEST_PG, schema: other }));
      expect(error.code).toBe("not-a-store");
      expect(error.message).toContain(`schema ${other}: it holds tables but is not a pandapon-mock state store. Name another schema.`);

      const newer = createTestSchemaName();
      await (await createPgStore({ connection: TEST_PG, schema: newer })).close();
      await runSql(`UPDATE "${newer}".store_schema SET version = 7`);
      expect((await openError(() => createPgStore({ connection: TEST_PG, schema: newer }))).code).toBe("newer-version");
    });

    it("migrates a schema of layout 1: each entity's next timer is read from its stored timers", async () => {
      const schema = createTestSchemaName();
      const store = await createPgStore({ connection: TEST_PG, schema });
      const stats = await writeLayoutSample(store);
      await store.close();
      await runSql(
        `DROP INDEX "${schema}".entities_due`,
        `ALTER TABLE "${schema}".entities DROP COLUMN next_timer_at`,
        `DROP INDEX "${schema}".pushes_finished`,
        `ALTER TABLE "${schema}".totals DROP COLUMN finished, DROP COLUMN finished_bytes, DROP COLUMN refused`,
        `UPDATE "${schema}".store_schema SET version = 1`,
      );
      const migrated = await createPgStore({ connection: TEST_PG, schema });
      try {
        expect((await migrated.listDue({ now: 5_000, limit: 10 })).records.map((r) => r.id)).toEqual(["two"]);
        expect((await migrated.listDue({ now: 4_999, limit: 10 })).records).toEqual([]);
        expect(await migrated.stats()).toEqual(stats);
        expect(stats).toMatchObject({ pushes: 2, finishedPushes: 1 });
      } finally {
        await migrated.close();
      }
    });

    it("lets replicas start together on a new schema and share one state", async () => {
      const schema = createTestSchemaName();
      const replicas = await Promise.all([1, 2, 3].map(() => createPgStore({ connection: TEST_PG, schema })));
      try {
        expect(await replicas[0]!.put(toTestRecord(), 0)).toEqual({ ok: true, version: 1 });
        expect(await replicas[1]!.get("tenant-a", "alibaba-refund", "TQ1001")).toMatchObject({ version: 1 });
        expect(await replicas[2]!.put(toTestRecord(), 0)).toMatchObject({ ok: false, reason: "conflict", version: 1 });
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
      }
    });
  });
});
