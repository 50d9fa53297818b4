import { isLosslessNumber } from "lossless-json";
import type { Catalog } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { SchemaCursor } from "../schemas/schema-cursor.js";
import { toOperationCursor } from "../schemas/schema-cursor.js";
import type { Violation } from "../schemas/violations.js";
import { readResponse } from "../checks/read-response.js";
import { toChildPath } from "../checks/to-child-path.js";
import { readRecordings } from "../mock/replay/recording.js";

/** What the recordings of one operation say about its documented answer. */
export interface OperationDrift {
  operation: string;
  /** Recordings read (success answers among them are the ones walked for never-sent members). */
  recordings: number;
  successes: number;
  /** Documented members of an object the API did send, missing from it in every recording (`data.items[].skuId`). */
  neverSent: string[];
  /** Members the API sent that the docs do not know, with how many recordings had them. */
  undocumented: { path: string; count: number }[];
  /** Members whose type differs from the documented one, with the message and a count. */
  typeDifferences: { path: string; message: string; count: number }[];
  /** Every other failure (required member missing, value outside an enum, unreadable body…), per recording. */
  violations: { file: string; violations: Violation[] }[];
}

export interface RecordingsCheck {
  dir: string;
  operations: OperationDrift[];
  /** Files in the folder that are not recordings, with why. */
  unreadable: { file: string; reason: string }[];
}

/** What the recordings of one operation add up to while they are read. */
interface Tally {
  recordings: number;
  successes: number;
  objects: Map<string, { documented: readonly string[]; sent: Set<string> }>;
  drift: { path: string }[];
  types: { path: string; message: string }[];
  violations: OperationDrift["violations"];
}

/** `data.items[3].skuId` → `data.items[].skuId`: one path for every item of a list. */
function toShapePath(path: string): string {
  return path.replace(/\[\d+\]/g, "[]");
}

/** Walks a document beside its schema: each object's path with the documented names there and the names sent. */
function walkObjects(value: unknown, cursor: SchemaCursor | undefined, path: string, into: Map<string, { documented: readonly string[]; sent: Set<string> }>): void {
  if (!cursor || typeof value !== "object" || value === null || isLosslessNumber(value)) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkObjects(item, cursor.item(i), `${path}[]`, into));
    return;
  }
  if (cursor.isOpen) return;
  const seen = into.get(path) ?? { documented: cursor.propertyNames, sent: new Set<string>() };
  into.set(path, seen);
  for (const [key, member] of Object.entries(value)) {
    seen.sent.add(key);
    walkObjects(member, cursor.property(key), toChildPath(path, key), into);
  }
}

function toCounted<T extends { path: string }>(list: T[], keyOf: (item: T) => string): (T & { count: number })[] {
  const counts = new Map<string, T & { count: number }>();
  for (const item of list) {
    const key = keyOf(item);
    const found = counts.get(key);
    if (found) found.count++;
    else counts.set(key, { ...item, count: 1 });
  }
  return [...counts.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The offline drift check: every recorded answer validated against today's schemas, and per
 * operation the evidence to tighten a schema — documented members never sent (in an object that
 * was sent), undocumented members sent, and type differences.
 */
export function checkRecordings(dir: string, catalog: Catalog = getCatalog()): RecordingsCheck {
  const readings = readRecordings(dir, catalog);
  const byOperation = new Map<string, Tally>();
  const unreadable: RecordingsCheck["unreadable"] = [];
  for (const reading of readings) {
    if (!reading.ok) {
      unreadable.push({ file: reading.file, reason: reading.reason });
      continue;
    }
    const operation = catalog.find(reading.recording.operation)!;
    const entry: Tally = byOperation.get(operation.meta.name) ?? { recordings: 0, successes: 0, objects: new Map(), drift: [], types: [], violations: [] };
    byOperation.set(operation.meta.name, entry);
    entry.recordings++;
    const read = readResponse(operation, reading.recording.answer.body, { catalog });
    if (!read.apiError && read.document !== undefined) {
      entry.successes++;
      walkObjects(read.document, toOperationCursor(catalog, operation, "response"), "", entry.objects);
    }
    const others: Violation[] = [];
    for (const v of read.violations) {
      if (v.rule === "drift") entry.drift.push({ path: toShapePath(v.path) });
      else if (v.rule === "type") entry.types.push({ path: toShapePath(v.path), message: v.message });
      else if (v.rule !== "api-error") others.push(v);
    }
    if (others.length > 0) entry.violations.push({ file: reading.file, violations: others });
  }
  const operations = [...byOperation].sort(([a], [b]) => a.localeCompare(b)).map(([operation, e]): OperationDrift => ({
    operation,
    recordings: e.recordings,
    successes: e.successes,
    neverSent: [...e.objects].flatMap(([path, o]) => o.documented.filter((name) => !o.sent.has(name)).map((name) => toChildPath(path, name))).sort(),
    undocumented: toCounted(e.drift, (d) => d.path),
    typeDifferences: toCounted(e.types, (t) => `${t.path}|${t.message}`),
    violations: e.violations,
  }));
  return { dir, operations, unreadable };
}

/** The check as text: one block per operation, then a one-line summary. */
export function toRecordingsReport(check: RecordingsCheck): string {
  const lines: string[] = [];
  for (const op of check.operations) {
    lines.push(`${op.operation}: ${op.recordings} recording${op.recordings === 1 ? "" : "s"} (${op.successes} success answer${op.successes === 1 ? "" : "s"})`);
    for (const path of op.neverSent) lines.push(`  never sent    ${path}  (documented; absent from every recorded answer)`);
    for (const d of op.undocumented) lines.push(`  undocumented  ${d.path}  (sent in ${d.count} recording${d.count === 1 ? "" : "s"})`);
    for (const t of op.typeDifferences) lines.push(`  type differs  ${t.path}  ${t.message} (in ${t.count} recording${t.count === 1 ? "" : "s"})`);
    for (const v of op.violations) for (const one of v.violations) lines.push(`  ✗ ${v.file}  ${one.path || "(root)"} [${one.rule}] ${one.message}`);
  }
  for (const u of check.unreadable) lines.push(`unreadable ${u.file}: ${u.reason}`);
  const count = (pick: (op: OperationDrift) => number) => check.operations.reduce((n, op) => n + pick(op), 0);
  lines.push(
    "",
    `${count((op) => op.recordings)} recordings of ${check.operations.length} operations: ${count((op) => op.neverSent.length)} documented members never sent, ${count((op) => op.undocumented.length)} undocumented members sent, ${count((op) => op.typeDifferences.length)} type differences, ${count((op) => op.violations.length)} recordings with other failures.`,
  );
  return lines.join("\n") + "\n";
}
