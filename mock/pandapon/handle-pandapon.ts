import { toCappedText } from "../../protocol/capped-text.js";
import type { MockCore } from "../create-core.js";
import type { MockRequest, MockResponse } from "../exchange.js";
import { readParams } from "../exchange.js";
import { answerPandaponError } from "./answer-pandapon-error.js";
import { answerReplay } from "../replay/answer-replay.js";
import { authenticatePandapon } from "./authenticate.js";
import { readPandaponRequest } from "./read-pandapon-request.js";
import { toPandaponRequestId } from "./to-pandapon-request-id.js";
import { writePandaponCodeMsgSuccess, writePandaponSuccess } from "./write-pandapon-envelope.js";
import type { PandaponKey } from "../options.js";
import type { DataEdit, StateProblem } from "../state/create-state.js";
import { toStateErrorKind, toStateErrorMessage } from "../to-state-error.js";
import type { Operation } from "../../schemas/catalog.js";
import { answerRule, withRuleLater } from "../control/answer-rule.js";
import type { RuleHit } from "../control/rule-book.js";
import { RULE_HEADER } from "../control/rule-header.js";
import { readJson } from "../read-json.js";

/**
 * The PandaPon pipeline: route → authenticate → rules (mock/control/) → (replaying: a recorded answer)
 * → read and validate → (stateful, for an operation
 * that shows or moves entities: take it on the caller's entities) → produce → respond.
 */
export function handlePandapon(core: MockCore, req: MockRequest): MockResponse | Promise<MockResponse> {
  const route = core.catalog.matchRoute(req.method, req.path);
  if (!route) {
    const other = ["GET", "POST"].find((m) => m !== req.method && core.catalog.matchRoute(m, req.path));
    return other
      ? answerPandaponError(core, "METHOD_NOT_ALLOWED", `${req.method} ${req.path}`, `Method ${req.method} is not allowed on ${toCappedText(req.path)}: use ${other}.`)
      : answerPandaponError(core, "UNKNOWN_OPERATION", `${req.method} ${req.path}`, `No PandaPon operation at ${req.method} ${toCappedText(req.path)}: see GET /__mock/operations for the served paths.`);
  }
  const { operation, pathParams } = route;
  const query = readParams(req.query);
  const rawBody = req.rawBody.toString("utf8");
  let key: PandaponKey | undefined;
  if (core.options.verifySignatures) {
    const auth = authenticatePandapon(operation, req.headers, query, rawBody, core.options, core.nonces);
    if (!auth.ok) return answerPandaponError(core, auth.error, operation.meta.name, auth.message);
    key = auth.key;
  }
  // Rules, after authentication (a rate limit or an outage answers a caller the API knows) and before
  // the request is read and checked (it comes before business checks): see mock/control/.
  let hit: RuleHit | undefined;
  const named = req.headers[RULE_HEADER];
  if (core.rules.size > 0 || named !== undefined) {
    const found = core.rules.check({ api: "pandapon", operation: operation.meta.name, tenant: toTenant(core, key, req), named, readValues: () => toRuleValues(query, pathParams, rawBody) });
    if (found && "unknownName" in found) return answerPandaponError(core, "INVALID_REQUEST", operation.meta.name, `No rule named "${toCappedText(found.unknownName)}" (header ${RULE_HEADER}): see GET /__mock/rules.`);
    hit = found;
    const early = hit && answerRule(core, hit, { api: "pandapon", operation: operation.meta.name });
    if (early) return early;
  }
  return withRuleLater(answerOperation(core, req, operation, query, pathParams, rawBody, key), hit);
}

/** (Replaying: a recorded answer) → read and validate → (stateful: take it on the caller's entities) → produce → respond. */
function answerOperation(core: MockCore, req: MockRequest, operation: Operation, query: Map<string, string>, pathParams: Record<string, string>, rawBody: string, key: PandaponKey | undefined): MockResponse | Promise<MockResponse> {
  const replayed = core.options.replay && answerReplay(core, req, "");
  if (replayed) return replayed;
  const reading = readPandaponRequest(operation, query, pathParams, req.headers, rawBody);
  if (!reading.ok) return answerPandaponError(core, reading.error, operation.meta.name, reading.message);
  const { payload } = reading;
  const respond = (edits?: readonly DataEdit[], viewKey?: string): MockResponse => {
    if (operation.meta.envelope === "pandapon-code-msg") {
      return core.answer(operation, payload, "json", (data) => writePandaponCodeMsgSuccess(operation.data ? data : undefined), edits, viewKey);
    }
    const answerer = key?.developId ?? core.options.pandapon.keys[0]?.developId ?? null;
    return core.answer(operation, payload, "json", (data) => writePandaponSuccess(toPandaponRequestId(core.options.seed, req), answerer, data), edits, viewKey);
  };
  const state = core.options.state;
  if (!state?.wires(operation.meta.name)) return respond();
  return state.takeOperation(toTenant(core, key, req), operation.meta.name, payload).then((outcome) => (outcome.ok ? respond(outcome.edits, outcome.viewKey) : answerStateProblem(core, operation.meta.name, outcome)));
}

/** What a rule's body or params match looks at: the JSON body's members, then query and path parameters. */
function toRuleValues(query: Map<string, string>, pathParams: Record<string, string>, rawBody: string): Record<string, unknown> {
  const values: Record<string, unknown> = { ...Object.fromEntries(query), ...pathParams };
  const json = rawBody.trim() === "" ? undefined : readJson(rawBody);
  if (json?.ok && json.value !== null && typeof json.value === "object" && !Array.isArray(json.value)) Object.assign(values, json.value);
  return values;
}

/** The caller's tenant: its access-key (unchecked signatures: the access-key header when it is a configured key, else the first key). */
function toTenant(core: MockCore, key: PandaponKey | undefined, req: MockRequest): string {
  if (key) return key.accessKey;
  const keys = core.options.pandapon.keys;
  const sent = req.headers["access-key"];
  return keys.find((k) => k.accessKey === sent)?.accessKey ?? keys[0]?.accessKey ?? "";
}

function answerStateProblem(core: MockCore, operation: string, problem: StateProblem): MockResponse {
  const kind = toStateErrorKind(problem);
  const name = kind === "bad-request" ? "INVALID_REQUEST" : kind === "fault" ? "SERVER_ERROR" : kind;
  if (kind === "fault") core.options.log?.(`mock fault on ${operation}: ${problem.message}`);
  return answerPandaponError(core, name, operation, toStateErrorMessage(problem));
}

