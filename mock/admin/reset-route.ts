import type { Express } from "express";
import type { MockOptions } from "../options.js";
import { AdminError, readAdminBody, toHandler } from "./admin-request.js";

/** POST /__mock/reset: forgets every entity, push and sequence (the clock stays), or with {"tenant": key} one tenant's. */
export function addResetRoute(admin: Express, options: MockOptions): void {
  admin.post(
    "/__mock/reset",
    toHandler(options, async (req, state) => {
      const body = await readAdminBody(req);
      // A tenant named in the body must be one (null included: a reset of everything is asked for by leaving it out, never by accident).
      const tenant = Object.hasOwn(body, "tenant") ? body.tenant : req.query.tenant;
      if (tenant !== undefined && (typeof tenant !== "string" || tenant === "")) throw new AdminError(400, "tenant must be a non-empty text (a PandaPon access-key or TOP app_key); leave it out to reset everything.");
      await state.reset(tenant);
      return [200, { reset: tenant ?? "everything" }];
    }),
  );
}
