import type { Express, Request } from "express";
import { toCappedText } from "../../protocol/capped-text.js";
import type { CallbackUrls } from "../push/callback-urls.js";
import type { PushService } from "../push/create-push-service.js";
import { checkCallbackUrl, toShownUrl } from "../push/send-push.js";
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

/** An entity's id: text, or an integer (a 19-digit id read exactly, as a bigint). */
function readId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "bigint") return String(value);
  if (typeof value === "string" && value !== "") return value;
  throw new AdminError(400, "id must be the entity's id: a non-empty text or an integer.");
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
 * messageType?, url?} sends an entity's message by hand; GET /__mock/callback-urls,
 * PUT /__mock/callback-urls/{tenant} {urls: [...]} and DELETE /__mock/callback-urls/{tenant} read,
 * change (kept in the state store) and restore (the configured ones) where each tenant's pushes go;
 * POST /__mock/callback-urls/verify {tenant?, url?} probes them now (the console's "Verify").
 * Secrets are never shown: a URL's user and password are shown as `***@` (set, they are kept and used).
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
      const id = readId(body.id);
      if (type === undefined || id === undefined) throw new AdminError(400, "POST /__mock/pushes needs the entity: {type, id} (and tenant, messageType or url if you like).");
      const url = readText(body.url, "url");
      const result = await service.sendByHand({ tenant: readTenant(options, req, body), type, id, messageType: readText(body.messageType, "messageType"), ...(url !== undefined ? { url } : {}) });
      if (!result.ok) throw new AdminError(result.status, result.message);
      return [201, { pushes: result.pushes }];
    }),
  );
  admin.get(
    "/__mock/callback-urls",
    toHandler(options, async () => {
      const urls = await readPushes(options, pushes).callbackUrls();
      const tenants = Object.fromEntries(Object.entries(urls.all()).map(([tenant, list]) => [tenant, list.map(toShownUrl)]));
      return [200, { tenants, setAtRunTime: urls.setAtRunTime() }];
    }),
  );
  admin.post(
    "/__mock/callback-urls/verify",
    toHandler(options, async (req) => {
      const service = readPushes(options, pushes);
      const body = await readAdminBody(req);
      const url = readText(body.url, "url");
      const problem = url === undefined ? undefined : checkCallbackUrl(url);
      if (problem !== undefined) throw new AdminError(400, `url: ${problem}.`);
      const result = await service.verify({ tenant: readTenant(options, req, body), ...(url !== undefined ? { url } : {}) });
      if (!result.ok) throw new AdminError(result.status, result.message);
      const { ok: _ok, ...answer } = result;
      return [200, answer];
    }),
  );
  admin.put(
    "/__mock/callback-urls/:tenant",
    toHandler(options, async (req) => {
      const urls = await readPushes(options, pushes).callbackUrls();
      const body = await readAdminBody(req);
      const tenant = readKey(urls, String(req.params.tenant));
      try {
        await urls.set(tenant, body.urls as string[]);
      } catch (error) {
        if (error instanceof TypeError) throw new AdminError(400, error.message);
        throw error;
      }
      return [200, { tenant, urls: urls.of(tenant).map(toShownUrl), setAtRunTime: true }];
    }),
  );
  admin.delete(
    "/__mock/callback-urls/:tenant",
    toHandler(options, async (req) => {
      const urls = await readPushes(options, pushes).callbackUrls();
      const tenant = readKey(urls, String(req.params.tenant));
      await urls.forget(tenant);
      return [200, { tenant, urls: urls.of(tenant).map(toShownUrl), setAtRunTime: false }];
    }),
  );
}

/** A tenant whose callback URLs can be set: one of this mock's keys. */
function readKey(urls: CallbackUrls, tenant: string): string {
  if (!urls.has(tenant)) throw new AdminError(404, `There is no key ${toCappedText(tenant)} in this mock's keys: only a configured key's pushes can be signed.`);
  return tenant;
}
