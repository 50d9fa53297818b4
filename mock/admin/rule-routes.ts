import type { Express } from "express";
import { toCappedText } from "../../protocol/capped-text.js";
import { RuleError } from "../control/rule-format.js";
import type { MockCore } from "../create-core.js";
import { AdminError, readAdminJson, sendJson, toAdminHandler } from "./admin-request.js";

/** Rules are small; a few hundred of them fit. */
const RULES_BODY_LIMIT = 1024 * 1024;

/**
 * GET /__mock/rules: the rules in force, in order, with how often each matched.
 * POST /__mock/rules: one rule or an array (all or none); answers 201 with them and their ids.
 * DELETE /__mock/rules: all of them; DELETE /__mock/rules/{id or name}: one.
 */
export function addRuleRoutes(admin: Express, core: MockCore): void {
  admin.get("/__mock/rules", (_req, res) => sendJson(res, 200, { rules: core.rules.list() }));
  admin.post(
    "/__mock/rules",
    toAdminHandler(core.options.log, async (req) => {
      const json = await readAdminJson(req, RULES_BODY_LIMIT);
      if (json === undefined) throw new AdminError(400, "POST /__mock/rules takes a rule or an array of rules, not an empty body.");
      try {
        return [201, { rules: core.rules.add(Array.isArray(json) ? json : [json]) }];
      } catch (error) {
        if (error instanceof RuleError) throw new AdminError(400, `POST /__mock/rules: ${error.message}. Nothing was added.`);
        throw error;
      }
    }),
  );
  admin.delete("/__mock/rules", (_req, res) => {
    const removed = core.rules.size;
    core.rules.clear();
    sendJson(res, 200, { removed });
  });
  admin.delete("/__mock/rules/:id", (req, res) => {
    const id = String(req.params.id);
    if (!core.rules.remove(id)) return sendJson(res, 404, { error: `No rule "${toCappedText(id)}": see GET /__mock/rules.` });
    sendJson(res, 200, { removed: 1 });
  });
}
