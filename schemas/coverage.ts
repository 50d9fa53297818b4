import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Catalog } from "./catalog.js";
import { SCHEMA_DIR } from "./catalog.js";

/** A documented operation whose page is not available, so it has no schema (schemas/undocumented.json). */
export interface UndocumentedOperation {
  api: string;
  group: string;
  name: string;
  method?: string;
  path?: string;
  reason: string;
}

export interface CoveredOperation {
  name: string;
  api: string;
  group: string;
  method: string;
  path?: string;
  topMethod?: string;
  messageType?: string;
  aliases: string[];
  coverage: "full" | "partial";
  /** Why the answer's shape is assumed (the API does not document it); absent when documented. */
  assumed?: string;
  summary: string;
  docUrl: string;
}

export function readUndocumented(dir = SCHEMA_DIR): UndocumentedOperation[] {
  const file = join(dir, "undocumented.json");
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, "utf8")) as { operations: UndocumentedOperation[] }).operations;
}

/** What the kit covers, one entry per operation file, in catalog order. */
export function listCoveredOperations(catalog: Catalog): CoveredOperation[] {
  return catalog.operations.map(({ meta, assumed }) => ({
    name: meta.name,
    api: meta.api,
    group: meta.group,
    method: meta.api === "pandapon" ? (meta.method ?? "POST") : meta.api === "top" ? "GET|POST" : "POST",
    path: meta.api === "pandapon" ? meta.path : meta.api === "top" ? "/router/rest" : undefined,
    topMethod: meta.topMethod,
    messageType: meta.messageType,
    aliases: meta.aliases ?? [],
    coverage: meta.coverage,
    ...(assumed ? { assumed } : {}),
    summary: meta.summary,
    docUrl: meta.docUrl,
  }));
}

/** Operations grouped by their documentation group, groups in first-seen order. */
export function toGroups<T extends { group: string }>(items: readonly T[]): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.group, [...(groups.get(item.group) ?? []), item]);
  return [...groups];
}

/** How an operation is called: `POST /path`, the TOP method, or `callback TYPE`. */
export function toCallText(o: CoveredOperation): string {
  return o.api === "top" ? o.name : o.api === "callback" ? `callback ${o.name}` : `${o.method} ${o.path}`;
}
