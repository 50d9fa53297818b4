import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../schemas/package-root.js";
import { toWireValue } from "../../protocol/wire-text.js";

/** One row of a realism table (mock/tables/<name>.json). */
export type Row = Record<string, unknown>;

const TABLE_DIR = join(PACKAGE_ROOT, "mock", "tables");
const cache = new Map<string, Row[]>();

/** Reads a table once, its texts as wire text (generators work in it); throws for a table that does not exist (found when schemas compile). */
export function readTable(name: string): Row[] {
  let rows = cache.get(name);
  if (!rows) {
    const file = join(TABLE_DIR, `${name}.json`);
    if (!/^[A-Za-z0-9_-]+$/.test(name) || !existsSync(file)) throw new Error(`Failed to find realism table "${name}" (mock/tables/${name}.json).`);
    rows = JSON.parse(readFileSync(file, "utf8")) as Row[];
    if (!Array.isArray(rows) || rows.length === 0) throw new Error(`Realism table "${name}" must be a non-empty array of rows.`);
    rows = toWireValue(rows);
    cache.set(name, rows);
  }
  return rows;
}
