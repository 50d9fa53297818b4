import type { Express, Request } from "express";
import type { PushService } from "../push/create-push-service.js";
import type { MockOptions } from "../options.js";
import type { PushState } from "../state/store.js";
import { MAX_PAGE_SIZE } from "../state/store.js";
import { AdminError, readAdminBody, readTenant, toHandler } from "./admin-request.js";

const PUSH_STATES: readonly string[] = ["pending", "done", "given-up"];

function readPushes(options: MockOptions, pushes: PushService | undefined): PushService {
  if (!pushes) throw new AdminError(404, options.pushes.enabled ? "This mock sends no pushes." : "Pushes are turned off in this mock's configuration (pushes.enabled: false).");
  return pushes;
}

function readText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new AdminError(400, `${name} must be a non-empty text.`);
  return value;
}

function readPage(req: Request): { limit: number; after?: number; state?: PushState } {
  const { limit, after, state } = req.query;
  const n = limit === undefined ? 100 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw new AdminError(400, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  const a = after === undefined ? undefined : Number(after);
  if (a !== undefined && (!Number.isSafeInteger(a) || a < 0)) throw new AdminError(400, "after must be the `next` of a previous page (a push id).");
  if (state !== undefined && !PUSH_STATES.includes(String(state))) throw new AdminError(400, `state must be one of ${PUSH_STATES.join(", ")}.`);
  return { limit: n, ...(a !== undefined ? { after: a } : {}), ...(state !== undefined ? { state: String(state) as PushState } : {}) };
}

/**
 * GET /__mock/pushes?tenant=&state=&limit=&after= (every push and its attempts: time, URL, status,
 * latency, error); POST /__mock/pushes/{id}/resend; POST /__mock/pushes {type, id, tenant?,
 * messageType?, url?} sends an entity's message by hand; GET /__mock/callback-urls and
 * PUT /__mock/callback-urls/{tenant} {urls: [...]} read and change where each tenant's pushes go.
 * Secrets are never shown (a URL's user and password neither).
 */
export function addPushRoutes(admin: Express, options: MockOptions, pushes: PushService | undefined): void {
  admin.get(
    "/__mock/pushes",
    toHandler(options, async (req) => {
      const service = readPushes(options, pushes);
      const tenant = req.query.tenant === undefined ? undefined : readTenant(options, req);
      return [200, await service.list({ tenant, ...readPage(req) })];
    }),
  );
  admin.post(
    "/__mock/pushes/:id/resend",
    toHandler(options, async (req) => {
      const service = readPushes(options, pushes);
      const id = Number(req.params.id);
      const result = await service.resend(Number.isSafeInteger(id) ? id : -1);
      if (!result.ok) throw new AdminError(result.status, result.message);
      return [201, { push: result.push }];
    }),
  );
  admin.post(
    "/__mock/pushes",
    toHandler(options, async (req) => {
      const service = readPushes(options, pushes);
      const body = await readAdminBody(req);
      const type = readText(body.type, "type");
      const id = readText(body.id === undefined ? undefined : String(body.id), "id");
      if (type === undefined || id === undefined) throw new AdminError(400, "POST /__mock/pushes needs the entity: {type, id} (and tenant, messageType or url if you like).");
      const url = readText(body.url, "url");
      const result = await service.sendByHand({ tenant: readTenant(options, req, body), type, id, messageType: readText(body.messageType, "messageType"), ...(url !== undefined ? { url } : {}) });
      if (!result.ok) throw new AdminError(result.status, result.message);
      return [201, { pushes: result.pushes }];
    }),
  );
  admin.get(
    "/__mock/callback-urls",
    toHandler(options, async () => [200, { tenants: readPushes(options, pushes).callbackUrls.all() }]),
  );
  admin.put(
    "/__mock/callback-urls/:tenant",
    toHandler(options, async (req) => {
      const service = readPushes(options, pushes);
      const body = await readAdminBody(req);
      const tenant = String(req.params.tenant);
      try {
        service.callbackUrls.set(tenant, body.urls as string[]);
      } catch (error) {
        throw new AdminError(400, (error as Error).message);
      }
      return [200, { tenant, urls: service.callbackUrls.of(tenant) }];
    }),
  );
}
