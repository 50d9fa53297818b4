import type { Express } from "express";
import { toCappedText } from "../../protocol/capped-text.js";
import type { EntityResult } from "../state/create-state.js";
import type { EntityKey } from "../state/store.js";
import type { MockOptions } from "../options.js";
import { AdminError, readAdminBody, readTenant, toHandler } from "./admin-request.js";

const STATUS_OF_PROBLEM = { "unknown-type": 404, "bad-id": 400, refused: 409, full: 409, invalid: 400, busy: 409 } as const;

/** The entity of a result, or its problem as an AdminError (a refusal carries the state and the allowed actions). */
function toEntityAnswer(result: EntityResult): [number, unknown] {
  if (result.ok) return [200, result.entity];
  const extra = result.code === "refused" ? { state: result.state, allowedActions: result.allowed } : {};
  throw new AdminError(STATUS_OF_PROBLEM[result.code], result.message, extra);
}

/** `after` of a listing: the `next` the previous page answered, as JSON. */
function readAfter(text: unknown): EntityKey | undefined {
  if (text === undefined) return undefined;
  try {
    const key = JSON.parse(String(text)) as EntityKey;
    if (typeof key?.tenant === "string" && typeof key.type === "string" && typeof key.id === "string") return key;
  } catch {
    // answered below
  }
  throw new AdminError(400, "after must be the `next` of the previous page, as JSON.");
}

function readLimit(text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AdminError(400, `limit must be a whole number from 1 to 1000, not "${String(text).slice(0, 40)}".`);
  return limit;
}

/**
 * GET /__mock/entities/types, GET /__mock/entities?type=&tenant=&limit=&after=, GET and
 * POST (create) /__mock/entities/{type}[/{id}], POST /__mock/entities/{type}/{id}/actions/{action}.
 */
export function addEntityRoutes(admin: Express, options: MockOptions): void {
  admin.get(
    "/__mock/entities/types",
    toHandler(options, async (_req, state) => [200, { types: state.types() }]),
  );
  admin.get(
    "/__mock/entities",
    toHandler(options, async (req, state) => {
      const type = req.query.type === undefined ? undefined : String(req.query.type);
      if (type !== undefined && !state.types().some((t) => t.type === type)) throw new AdminError(404, `There is no entity type "${toCappedText(type)}": see GET /__mock/entities/types.`);
      // Every tenant's entities unless one is named.
      const tenant = req.query.tenant === undefined ? undefined : readTenant(options, req);
      const page = await state.list({ tenant, type, limit: readLimit(req.query.limit), after: readAfter(req.query.after) });
      return [200, page];
    }),
  );
  admin.get(
    "/__mock/entities/:type/:id",
    toHandler(options, async (req, state) => {
      const tenant = readTenant(options, req);
      return toEntityAnswer(await state.read(tenant, String(req.params.type), String(req.params.id)));
    }),
  );
  admin.post(
    "/__mock/entities/:type",
    toHandler(options, async (req, state) => {
      const body = await readAdminBody(req);
      const tenant = readTenant(options, req, body);
      if (body.action !== undefined && typeof body.action !== "string") throw new AdminError(400, "action must be the name of a creating action.");
      const [status, value] = toEntityAnswer(await state.create(tenant, String(req.params.type), { action: body.action as string | undefined, input: body.input }));
      return [status === 200 ? 201 : status, value];
    }),
  );
  admin.post(
    "/__mock/entities/:type/:id/actions/:action",
    toHandler(options, async (req, state) => {
      const body = await readAdminBody(req);
      const tenant = readTenant(options, req, body);
      return toEntityAnswer(await state.act(tenant, String(req.params.type), String(req.params.id), String(req.params.action), body.input));
    }),
  );
}
