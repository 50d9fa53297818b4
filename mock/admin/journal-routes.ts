import type { Express, Request } from "express";
import type { MockCore } from "../create-core.js";
import type { JournalFilter } from "../journal.js";
import { sendJson } from "./admin-request.js";

/**
 * GET /__mock/journal: the newest entries first, each with its request (headers, body; secrets and
 * signatures masked) and its answer (status, body); query `operation`, `tenant`, `status`, `since`
 * (ISO time or epoch ms), `limit`. DELETE /__mock/journal forgets them all.
 */
export function addJournalRoutes(admin: Express, core: MockCore): void {
  admin.get("/__mock/journal", (req, res) => {
    const filter = readFilter(req);
    if (typeof filter === "string") return sendJson(res, 400, { error: filter });
    sendJson(res, 200, { entries: core.journal.list(filter).map((e) => ({ ...e, at: new Date(e.at).toISOString() })) });
  });
  admin.delete("/__mock/journal", (_req, res) => {
    const cleared = core.journal.size;
    core.journal.clear();
    sendJson(res, 200, { cleared });
  });
}

/** The filter the query asks for, or why it cannot be read. */
function readFilter(req: Request): JournalFilter | string {
  const q = req.query;
  const text = (name: string): string | undefined => (typeof q[name] === "string" ? (q[name] as string) : undefined);
  const filter: JournalFilter = {};
  for (const name of ["operation", "tenant", "status", "since", "limit"]) {
    if (q[name] !== undefined && typeof q[name] !== "string") return `GET /__mock/journal: give ${name} once, as text.`;
  }
  if (text("operation") !== undefined) filter.operation = text("operation");
  if (text("tenant") !== undefined) filter.tenant = text("tenant");
  const status = text("status");
  if (status !== undefined) {
    if (!/^\d{1,3}$/.test(status)) return `GET /__mock/journal: status must be an HTTP status (0 for a connection fault), not "${status.slice(0, 40)}".`;
    filter.status = Number(status);
  }
  const since = text("since");
  if (since !== undefined) {
    const at = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
    if (!Number.isFinite(at)) return `GET /__mock/journal: since must be an ISO time or epoch milliseconds, not "${since.slice(0, 40)}".`;
    filter.since = at;
  }
  const limit = text("limit");
  if (limit !== undefined) {
    if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1) return `GET /__mock/journal: limit must be a whole number ≥ 1, not "${limit.slice(0, 40)}".`;
    filter.limit = Number(limit);
  }
  return filter;
}
