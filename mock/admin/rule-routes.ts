import type { Express } from "express";
import { toCappedText } from "../../protocol/capped-text.js";
import { RuleError } from "../control/rule-format.js";
import type { MockCore } from "../create-core.js";
import { readBody } from "../read-body.js";
import { readJson } from "../read-json.js";
import { sendJson } from "./admin-request.js";

/** Rules are small; a few hundred of them fit. */
const RULES_BODY_LIMIT = 1024 * 1024;

/**
 * GET /__mock/rules: the rules in force, in order, with how often each matched.
 * POST /__mock/rules: one rule or an array (all or none); answers 201 with them and their ids.
 * DELETE /__mock/rules: all of them; DELETE /__mock/rules/{id or name}: one.
 */
export function addRuleRoutes(admin: Express, core: MockCore): void {
  admin.get("/__mock/rules", (_req, res) => sendJson(res, 200, { rules: core.rules.list() }));
  admin.post("/__mock/rules", (req, res) => {
    void readBody(req, RULES_BODY_LIMIT).then((reading) => {
      if (!reading.ok) return sendJson(res, 400, { error: `POST /__mock/rules: the body could not be read (${reading.problem.kind === "too-large" ? `over ${RULES_BODY_LIMIT} bytes` : reading.problem.kind}).` });
      const json = readJson(reading.body.toString("utf8"));
      if (!json.ok) return sendJson(res, 400, { error: `POST /__mock/rules: the body is not JSON (${json.reason}).` });
      const list = Array.isArray(json.value) ? json.value : [json.value];
      try {
        sendJson(res, 201, { rules: core.rules.add(list) });
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        sendJson(res, 400, { error: `POST /__mock/rules: ${error.message}. Nothing was added.` });
      }
    });
  });
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
