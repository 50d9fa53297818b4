import type { IncomingMessage, ServerResponse } from "node:http";
import { toCappedText } from "../../protocol/capped-text.js";
import { createAdminGuard } from "../admin-guard.js";
import type { MockCore } from "../create-core.js";
import { answerRouterError } from "./admin-request.js";
import { addClockRoutes } from "./clock-routes.js";
import { addEntityRoutes } from "./entity-routes.js";
import { addJournalRoutes } from "./journal-routes.js";
import { addRuleRoutes } from "./rule-routes.js";
import { addPushRoutes } from "./push-routes.js";
import { addResetRoute } from "./reset-route.js";

/** The mock's own endpoints (/__mock/*), in express, the admin guard before every route. */
export async function createAdminApp(core: MockCore): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const { default: express } = await import("express");
  const admin = express();
  admin.disable("x-powered-by");
  admin.set("etag", false);
  // Before every route, so that a refused request never reaches one (not even the 404).
  const guard = createAdminGuard(core.options.admin);
  admin.use((req, res, next) => {
    const refusal = guard(req.method, req.path, req.headers);
    if (!refusal) return next();
    core.options.log?.(`mock admin ${refusal.status}: ${refusal.error}`);
    if (refusal.status === 401) res.set("www-authenticate", 'Bearer realm="pandapon-mock"');
    res.status(refusal.status).json({ error: refusal.error });
  });
  admin.get("/__mock/health", (_req, res) => {
    // timers.stuck: due entities whose timers could not be fired (unknown type, write refused), as the timer sweeper last saw them.
    res.json({ status: "ok", operations: core.catalog.operations.length, stores: core.readStoreSizes(), state: core.options.state ? "stateful" : "stateless", ...(core.timers ? { timers: { stuck: core.timers.stuck() } } : {}) });
  });
  addJournalRoutes(admin, core);
  addRuleRoutes(admin, core);
  admin.get("/__mock/operations", (_req, res) => {
    res.json({ operations: core.catalog.operations.map(({ meta, assumed }) => ({ name: meta.name, api: meta.api, method: meta.method, path: meta.path, coverage: meta.coverage, ...(assumed ? { assumed } : {}) })) });
  });
  addEntityRoutes(admin, core.options);
  addClockRoutes(admin, core.options, core.timers);
  addResetRoute(admin, core.options);
  addPushRoutes(admin, core.options, core.pushes);
  admin.use((req, res) => {
    res.status(404).json({ error: `No mock endpoint ${req.method} ${toCappedText(req.path)}: see GET /__mock/health, /__mock/journal, /__mock/rules, /__mock/operations, /__mock/entities, /__mock/clock, /__mock/pushes.` });
  });
  // Last: express's own errors (a malformed percent-escape in a path segment) and faults, answered as JSON too.
  admin.use(answerRouterError(core.options.log));
  return admin;
}
