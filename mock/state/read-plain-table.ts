import { fromWireValue } from "../../protocol/wire-text.js";
import { readTable, type Row } from "../generate/tables.js";
import { isEqual } from "./compare-values.js";

const plain = new Map<string, readonly Row[]>();

/** A realism table (mock/tables/<name>.json) with its texts as ordinary strings (the generators hold them as wire text). */
export function readPlainTable(name: string): readonly Row[] {
  let rows = plain.get(name);
  if (!rows) {
    rows = fromWireValue(readTable(name));
    plain.set(name, rows);
  }
  return rows;
}

/** The rows whose columns equal the given values (as lifecycle expressions compare). */
export function findRows(name: string, where: ReadonlyArray<[column: string, value: unknown]>): Row[] {
  return readPlainTable(name).filter((row) => where.every(([column, value]) => isEqual(row[column], value)));
}
