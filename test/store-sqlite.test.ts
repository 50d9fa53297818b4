import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { StoreOpenError } from "../mock/state/store-open-error.js";
import { createTempFolder } from "./helpers/store-setups.js";
import { toTestRecord, writeLayoutSample } from "./helpers/test-record.js";

function openError(file: string, options: { shared?: boolean; busyTimeoutMs?: number } = {}): StoreOpenError {
  try {
    createSqliteStore({ file, ...options }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreOpenError);
    return error as StoreOpenError;
  }
  throw new Error(`"${file}" opened`);
}

/** Runs SQL on the file as another program would. */
function execRaw(file: string, sql: string): void {
  const raw = new Database(file);
  raw.exec(sql);
  raw.close();
}

describe("SQLite state file", () => {
  it("makes the file's folder, writes in WAL mode, and finds its writes when opened again", async () => {
    const file = join(createTempFolder(), "a", "b", "state.sqlite");
    const store = createSqliteStore({ file });
    expect(await store.put(toTestRecord(), 0)).toMatchObject({ ok: true });
    await store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    const again = createSqliteStore({ file, synchronous: "full" });
    expect(await again.get("tenant-a", "alibaba-refund", "TQ1001")).toMatchObject({ version: 1, fields: { orderId: 1234567890123456789n } });
    expect(await again.stats()).toMatchObject({ entities: 1 });
    await again.close();
  });

  it("refuses a file another process holds, unless every process opens it shared", async () => {
    const file = join(createTempFolder(), "state.sqlite");
    const alone = createSqliteStore({ file });
    for (const shared of [false, true]) {
      expect(openError(file, { shared, busyTimeoutMs: 50 })).toMatchObject({
        code: "in-use",
        message: `Failed to open the state file "${file}": another process holds it (is a mock already running on it?). Stop that process, or choose another file.`,
      });
    }
    await alone.close();
    const [a, b] = [createSqliteStore({ file, shared: true }), createSqliteStore({ file, shared: true })];
    await a.put(toTestRecord(), 0);
    expect(await b.get("tenant-a", "alibaba-refund", "TQ1001")).toMatchObject({ version: 1 });
    await Promise.all([a.close(), b.close()]);
  });

  it("refuses a file that is not a SQLite database, and leaves it as it was", () => {
    const file = join(createTempFolder(), "notes.txt");
    const text = "These are notes, not a database.\n".repeat(200);
    writeFileSync(file, text);
    const error = openError(file);
    expect(error.code).toBe("not-a-store");
    expect(error.message).toBe(`Failed to open the state file "${file}": it is not a SQLite database, so not a state store. Choose another file (or move this one away).`);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("refuses another program's SQLite database without adding tables to it", () => {
    const file = join(createTempFolder(), "other.sqlite");
    execRaw(file, "CREATE TABLE users (name TEXT)");
    const error = openError(file);
    expect(error.code).toBe("not-a-store");
    expect(error.message).toContain("it holds tables but is not a pandapon-mock state store");
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(["users"]);
    check.close();
  });

  it("refuses a store written by a newer layout", async () => {
    const file = join(createTempFolder(), "state.sqlite");
    await createSqliteStore({ file }).close();
    execRaw(file, "UPDATE store_schema SET version = 99");
    const error = openError(file);
    expect(error.code).toBe("newer-version");
    expect(error.message).toContain("was written by a newer pandapon-mock (store layout 99; this one reads up to 2)");
  });

  it("migrates a file of layout 1: each entity's next timer is read from its stored timers, then found due; the history is counted", async () => {
    const file = join(createTempFolder(), "state.sqlite");
    const store = createSqliteStore({ file });
    const stats = await writeLayoutSample(store);
    await store.close();
    // What layout 1 was: no next_timer_at column, no history counts, no index on either.
    execRaw(
      file,
      "DROP INDEX entities_due; ALTER TABLE entities DROP COLUMN next_timer_at; DROP INDEX pushes_finished; ALTER TABLE totals DROP COLUMN finished; ALTER TABLE totals DROP COLUMN finished_bytes; ALTER TABLE totals DROP COLUMN refused; UPDATE store_schema SET version = 1",
    );
    const migrated = createSqliteStore({ file });
    expect((await migrated.listDue({ now: 5_000, limit: 10 })).records.map((r) => r.id)).toEqual(["two"]);
    expect((await migrated.listDue({ now: 4_999, limit: 10 })).records).toEqual([]);
    expect(await migrated.get("tenant-a", "alibaba-refund", "two")).toMatchObject({ version: 1, timers: [{ action: "b" }, { action: "a" }] });
    expect(await migrated.stats()).toEqual(stats);
    expect(stats).toMatchObject({ pushes: 2, finishedPushes: 1 });
    await migrated.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT version FROM store_schema").pluck().get()).toBe(2);
    check.close();
  });

  it("says so when the path is a folder, or its folder cannot be made", () => {
    const folder = createTempFolder();
    mkdirSync(join(folder, "dir"));
    expect(openError(join(folder, "dir")).code).toBe("cannot-open");
    writeFileSync(join(folder, "file"), "x");
    const error = openError(join(folder, "file", "state.sqlite"));
    expect(error.code).toBe("cannot-create-folder");
    expect(error.message).toMatch(/^Failed to open the state file ".*": its folder cannot be made \((EEXIST|ENOTDIR)/);
  });
});
