import { checkInteger, checkName } from "./check-name.js";
import { toInvalid } from "./check-room.js";
import type { EntityRecord } from "./entity.js";
import type { Refusal } from "./store.js";
import { parseStoredJson, toStoredJson } from "./stored-json.js";

/** An entity as stored: its key, version and size in columns, the whole record as JSON text. */
export interface EntityRow {
  tenant: string;
  type: string;
  id: string;
  version: number;
  /** UTF-8 bytes of `body`. */
  size: number;
  body: string;
  /** The earliest of the record's timers (virtual epoch ms), or null: what the store finds due entities by. */
  nextTimerAt: number | null;
}

/** The earliest time among the record's timers, or null when it has none. */
function toNextTimerAt(record: EntityRecord): number | null {
  let next: number | null = null;
  for (const timer of record.timers) if (next === null || timer.at < next) next = timer.at;
  return next;
}

/** Why a record cannot be stored as it is, or undefined. */
function checkRecord(record: EntityRecord, expectedVersion: number): string | undefined {
  if (record === null || typeof record !== "object") return "the record must be an object";
  return (
    checkName(record.tenant, "tenant") ??
    checkName(record.type, "type") ??
    checkName(record.id, "id") ??
    (typeof record.state === "string" ? undefined : "state must be a string") ??
    (record.fields !== null && typeof record.fields === "object" && !Array.isArray(record.fields) ? undefined : "fields must be an object") ??
    (Array.isArray(record.history) ? undefined : "history must be an array") ??
    (Array.isArray(record.timers) ? undefined : "timers must be an array") ??
    (record.timers.every((t) => t !== null && typeof t === "object" && typeof t.action === "string" && Number.isSafeInteger(t.at)) ? undefined : "each timer must be {action, at} with at an integer (epoch ms)") ??
    checkInteger(record.createdAt, "createdAt") ??
    checkInteger(record.updatedAt, "updatedAt") ??
    checkInteger(expectedVersion, "the expected version")
  );
}

/** The row for `record` written over version `expectedVersion`, or why it cannot be stored. */
export function toEntityRow(record: EntityRecord, expectedVersion: number): { ok: true; row: EntityRow } | Refusal {
  const problem = checkRecord(record, expectedVersion);
  if (problem !== undefined) return toInvalid(`Failed to store the entity: ${problem}.`);
  const version = expectedVersion + 1;
  // Members in a fixed order, whatever order the caller built them in: same record, same bytes.
  const stored: EntityRecord = {
    type: record.type,
    tenant: record.tenant,
    id: record.id,
    state: record.state,
    fields: record.fields,
    history: record.history,
    timers: record.timers,
    version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  const json = toStoredJson(stored, "record");
  if (!json.ok) return toInvalid(`Failed to store the entity ${record.type} "${record.id}": ${json.message}.`);
  const { tenant, type, id } = record;
  return { ok: true, row: { tenant, type, id, version, size: Buffer.byteLength(json.text), body: json.text, nextTimerAt: toNextTimerAt(record) } };
}

export function parseEntityBody(body: string): EntityRecord {
  return parseStoredJson(body) as EntityRecord;
}
