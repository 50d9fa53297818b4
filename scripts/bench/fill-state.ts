import { statSync } from "node:fs";
import { toJsonText } from "../../protocol/json-wire.js";
import { getCatalog } from "../../schemas/catalog.js";
import type { Birth } from "../../mock/state/birth.js";
import { createBirth } from "../../mock/state/birth.js";
import type { EntityRecord } from "../../mock/state/entity.js";
import { getLifecycles } from "../../mock/state/lifecycle.js";
import { createSqliteStore } from "../../mock/state/sqlite-store.js";
import { DEFAULT_STORE_LIMITS, MAX_BATCH } from "../../mock/state/store.js";

export const FILL_TYPE = "alibaba-refund";

/** The n-th filled refund id: TQ, then 1 and 16 digits (the fresh ids of the load start with 367063, so they are never stored). */
export function toFilledId(n: number): string {
  return `TQ1${String(n).padStart(16, "0")}`;
}

/** Ids the templates are born for (never stored themselves). */
function toTemplateId(n: number): string {
  return `TQ9${String(n).padStart(16, "0")}`;
}

export interface FillSettings {
  /** The state file (made if missing; it should be new). */
  file: string;
  count: number;
  /** Whose refunds they are: the access-key the load signs with. */
  tenant: string;
  /** The mock's seed (births are the seed's). */
  seed: string | number;
  /** The virtual clock's now at the fill (real time for a new state file). */
  now: number;
  /** Distinct born records the fill re-keys (default 1000). */
  templates?: number;
  /** Writes per putMany, one transaction each (default 5000). */
  batch?: number;
  /** Born records with a timer due within this long of `now` are not used, so no read during the run writes (default 1 day). */
  stableMs?: number;
  /** Filled ids to hand back for polling, spread over the fill, with what their reads must show. */
  polled?: number;
  onProgress?: (filled: number) => void;
}

export interface FilledRefund {
  id: string;
  /** The stored record's orderId (exact digits): a view of the stored refund shows it. */
  orderId: string;
}

export interface FillOutcome {
  entities: number;
  seconds: number;
  perSecond: number;
  /** The store's count of its stored texts (UTF-8 JSON). */
  storedBytes: number;
  /** The state file and its WAL on disk, after the store closed. */
  fileBytes: number;
  polled: FilledRefund[];
}

/** A born record as a template: the fields that hold its id (the id, its digits, or texts that quote the id) are rewritten per copy. */
export interface Template {
  record: EntityRecord;
  idFields: Array<{ name: string; kind: "text" | "bigint" | "digits" | "quoting" }>;
}

/**
 * Which fields hold the record's id — the id, its digits, or a text quoting the id (the operation
 * log, kept as JSON text, names its refund) — ; throws when the digits show anywhere else, where a
 * copy would keep the template's id.
 */
export function toTemplate(record: EntityRecord): Template {
  const digits = record.id.replace(/\D/g, "");
  const idFields: Template["idFields"] = [];
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record.fields)) {
    if (value === record.id) idFields.push({ name, kind: "text" });
    else if (typeof value === "bigint" && value.toString() === digits) idFields.push({ name, kind: "bigint" });
    else if (value === digits) idFields.push({ name, kind: "digits" });
    else if (typeof value === "string" && value.includes(record.id)) {
      idFields.push({ name, kind: "quoting" });
      rest[name] = value.replaceAll(record.id, "");
    } else rest[name] = value;
  }
  if (toJsonText(rest).includes(digits)) throw new Error(`Failed to use the born ${record.type} "${record.id}" as a template: its id shows in fields other than ${idFields.map((f) => f.name).join(", ") || "none"}.`);
  return { record, idFields };
}

/** A copy of the template as the refund `id` (same state, history and timers; the id fields rewritten to `id`). */
export function rekey(template: Template, id: string): EntityRecord {
  const digits = id.replace(/\D/g, "");
  const { record } = template;
  const fields = { ...record.fields };
  for (const { name, kind } of template.idFields) {
    fields[name] = kind === "text" ? id : kind === "bigint" ? BigInt(digits) : kind === "digits" ? digits : (fields[name] as string).replaceAll(record.id, id);
  }
  return { ...record, id, fields };
}

/** Born refunds of the tenant whose timers are not due within `stableMs` of `now`. */
function bearTemplates(birth: Birth, settings: FillSettings, count: number): Template[] {
  const stableUntil = settings.now + (settings.stableMs ?? 86_400_000);
  const templates: Template[] = [];
  for (let n = 0; templates.length < count; n++) {
    if (n > count * 20) throw new Error(`Failed to fill the state: fewer than ${count} of ${n} born refunds keep still for ${(settings.stableMs ?? 86_400_000) / 1000} s.`);
    const { record } = birth({ type: FILL_TYPE, tenant: settings.tenant, id: toTemplateId(n) }, settings.now);
    if (record.timers.every((t) => t.at > stableUntil)) templates.push(toTemplate(record));
  }
  return templates;
}

/** Size of a SQLite file and its WAL beside it. */
export function readStateFileBytes(file: string): number {
  let bytes = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      bytes += statSync(file + suffix).size;
    } catch {
      // no such side file
    }
  }
  return bytes;
}

/**
 * Fills a state file with `count` stored refunds of one tenant through the store (putMany, one
 * transaction per batch), not through the API. Each is a copy of one of a few born refunds (birth
 * walks the lifecycle as a live flow would, ~0.25 ms each: too slow for a million), re-keyed to its
 * own id. The store is opened with room for them (the mock's default byte bound may be lower) and
 * closed before this returns, so a mock can open the file.
 */
export async function fillState(settings: FillSettings): Promise<FillOutcome> {
  const started = performance.now();
  const birth = createBirth({ catalog: getCatalog(), lifecycles: getLifecycles(), seed: settings.seed });
  const templates = bearTemplates(birth, settings, Math.max(1, Math.min(settings.templates ?? 1000, settings.count)));
  const batch = Math.min(settings.batch ?? 5000, MAX_BATCH);
  const store = createSqliteStore({ file: settings.file, limits: { maxEntities: Math.max(settings.count, DEFAULT_STORE_LIMITS.maxEntities), maxBytes: Number.MAX_SAFE_INTEGER } });
  let storedBytes: number;
  try {
    for (let from = 0; from < settings.count; from += batch) {
      const writes = Array.from({ length: Math.min(batch, settings.count - from) }, (_, i) => ({ record: rekey(templates[(from + i) % templates.length]!, toFilledId(from + i)), expectedVersion: 0 }));
      const refused = (await store.putMany(writes)).find((r) => !r.ok);
      if (refused && !refused.ok) throw new Error(`Failed to fill the state at ${from}: ${refused.message}`);
      settings.onProgress?.(from + writes.length);
    }
    storedBytes = (await store.stats()).bytes;
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const polledCount = Math.min(settings.polled ?? 0, settings.count);
  const polled = Array.from({ length: polledCount }, (_, i) => {
    const n = Math.floor((i * settings.count) / polledCount);
    return { id: toFilledId(n), orderId: String(templates[n % templates.length]!.record.fields.orderId) };
  });
  return { entities: settings.count, seconds: Math.round(seconds * 10) / 10, perSecond: Math.round(settings.count / seconds), storedBytes, fileBytes: readStateFileBytes(settings.file), polled };
}
