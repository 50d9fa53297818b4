import type { Operation } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";
import { toTopResponseKey } from "../../schemas/operation.js";
import { describeViolations } from "../../schemas/violations.js";
import { toCappedText } from "../../protocol/capped-text.js";
import { primaryKind } from "../../schemas/primary-kind.js";
import { toHash53 } from "../to-hash53.js";
import type { MockCore } from "../create-core.js";
import type { MockRequest, MockResponse } from "../exchange.js";
import { readJson } from "../read-json.js";
import { answerTopError } from "./answer-top-error.js";
import { answerReplay } from "../replay/answer-replay.js";
import { authenticateTop } from "./authenticate-top.js";
import { TOP_GATEWAY_PATH } from "./is-top-gateway-path.js";
import { readTopParams } from "./read-top-params.js";
import { writeTopSuccess } from "./write-top-envelope.js";
import type { TopFailure } from "../../protocol/top-error-table.js";
import type { AnswerFormat } from "../generate/create-producer.js";
import type { DataEdit, StateProblem } from "../state/create-state.js";
import { toStateErrorKind, toStateErrorMessage } from "../to-state-error.js";
import { answerRule, withRuleLater } from "../control/answer-rule.js";
import type { RuleHit } from "../control/rule-book.js";
import { RULE_HEADER } from "../control/rule-header.js";

type BusinessReading = { ok: true; payload: Record<string, unknown> } | ({ ok: false } & TopFailure);

/**
 * The TOP gateway pipeline (/router/rest): parameters → path → method → authenticate → rules
 * (mock/control/) → (replaying: a recorded answer) → read and validate → (stateful, for a method
 * that shows or moves entities: take it on the caller's
 * entities) → produce → respond.
 */
export function handleTop(core: MockCore, req: MockRequest): MockResponse | Promise<MockResponse> {
  const requestId = toTopRequestId(req);
  if (req.method !== "GET" && req.method !== "POST") return answerTopError(core, "xml", requestId, "-", { error: "HTTP_ACTION_NOT_ALLOWED" });
  const reading = readTopParams(req.query, req.rawBody, req.headers["content-type"]);
  if (!reading.ok) return answerTopError(core, "xml", requestId, "-", { error: "INVALID_ARGUMENTS", subMsg: reading.reason });
  const { params } = reading;
  const format = params.get("format") ?? "xml";
  if (format !== "json" && format !== "xml") return answerTopError(core, "xml", requestId, "-", { error: "INVALID_FORMAT", subMsg: "format must be json or xml" });
  if (req.path !== TOP_GATEWAY_PATH) return answerTopError(core, format, requestId, "-", { error: "INVALID_METHOD", subMsg: toPathReason(req.path) });
  const method = params.get("method");
  if (!method) return answerTopError(core, format, requestId, "-", { error: "MISSING_METHOD" });
  const operation = core.catalog.find(method);
  if (!operation || operation.meta.api !== "top") return answerTopError(core, format, requestId, method, { error: "INVALID_METHOD", subMsg: `method ${toCappedText(method)} is not served by the mock` });
  if (core.options.verifySignatures) {
    const failure = authenticateTop(params, core.options);
    if (failure) return answerTopError(core, format, requestId, method, failure);
  }
  // Rules, after authentication and before the business parameters are read and checked (TOP's flow
  // control comes before the method's own checks): see mock/control/.
  let hit: RuleHit | undefined;
  const named = req.headers[RULE_HEADER];
  if (core.rules.size > 0 || named !== undefined) {
    const found = core.rules.check({ api: "top", operation: method, tenant: toTenant(core, params), named, readValues: () => Object.fromEntries(params) });
    if (found && "unknownName" in found) return answerTopError(core, format, requestId, method, { error: "INVALID_ARGUMENTS", subCode: `isv.invalid-parameter:${RULE_HEADER}`, subMsg: `No rule named "${toCappedText(found.unknownName)}": see GET /__mock/rules.` });
    hit = found;
    const early = hit && answerRule(core, hit, { api: "top", operation: method, format, requestId });
    if (early) return early;
  }
  return withRuleLater(answerMethod(core, req, operation, method, params, format, requestId), hit);
}

/** (Replaying: a recorded answer) → read and validate the business parameters → (stateful: take it on the caller's entities) → produce → respond. */
function answerMethod(core: MockCore, req: MockRequest, operation: Operation, method: string, params: Map<string, string>, format: AnswerFormat, requestId: string): MockResponse | Promise<MockResponse> {
  const replayed = core.options.replay && answerReplay(core, req, requestId);
  if (replayed) return replayed;
  const business = readBusinessParams(core, operation, params);
  if (!business.ok) return answerTopError(core, format, requestId, method, business);
  const root = toTopResponseKey(method);
  const respond = (edits?: readonly DataEdit[], viewKey?: string) => core.answer(operation, business.payload, format, (data) => writeTopSuccess(root, requestId, data), edits, viewKey);
  const state = core.options.state;
  if (!state?.wires(method)) return respond();
  return state.takeOperation(toTenant(core, params), method, business.payload).then((outcome) => (outcome.ok ? respond(outcome.edits, outcome.viewKey) : answerStateProblem(core, format, requestId, method, outcome)));
}

/** The caller's tenant: its app_key (checked, or unchecked signatures: when it is a configured app), else the first app's. */
function toTenant(core: MockCore, params: Map<string, string>): string {
  const apps = core.options.top.apps;
  const sent = params.get("app_key");
  return apps.find((a) => a.appKey === sent)?.appKey ?? apps[0]?.appKey ?? "";
}

function answerStateProblem(core: MockCore, format: AnswerFormat, requestId: string, method: string, problem: StateProblem): MockResponse {
  const kind = toStateErrorKind(problem);
  const subMsg = toStateErrorMessage(problem);
  if (kind === "fault") core.options.log?.(`mock fault on ${method}: ${problem.message}`);
  const error = kind === "bad-request" ? "INVALID_ARGUMENTS" : kind === "fault" ? "REMOTE_SERVICE_ERROR" : kind;
  return answerTopError(core, format, requestId, method, { error, subMsg });
}

/** Each operation's business parameters, and which arrive as JSON text (struct and list parameters). */
const businessParams = new WeakMap<Operation, { name: string; isJson: boolean }[]>();

function toBusinessParams(core: MockCore, operation: Operation): { name: string; isJson: boolean }[] {
  let list = businessParams.get(operation);
  if (!list) {
    const properties = (operation.request?.properties ?? {}) as Record<string, JsonSchema>;
    list = Object.entries(properties).map(([name, schema]) => {
      const kind = primaryKind(core.catalog.resolve(schema, operation));
      return { name, isJson: kind === "object" || kind === "array" };
    });
    businessParams.set(operation, list);
  }
  return list;
}

/** Business parameters by the Request schema: struct and list parameters arrive as JSON text (numbers read exactly: see readJson). */
function readBusinessParams(core: MockCore, operation: Operation, params: Map<string, string>): BusinessReading {
  const payload: Record<string, unknown> = {};
  let exactNumbers = false;
  for (const { name, isJson } of toBusinessParams(core, operation)) {
    const text = params.get(name);
    if (text === undefined || text === "") continue;
    if (isJson) {
      const parsed = readJson(text);
      if (!parsed.ok) return { ok: false, error: "INVALID_ARGUMENTS", subCode: `isv.invalid-parameter:${name}`, subMsg: `${name} must be JSON text (a struct parameter): ${parsed.reason}` };
      payload[name] = parsed.value;
      exactNumbers ||= parsed.exact;
    } else {
      payload[name] = text;
    }
  }
  const violations = operation.checkRequest(payload, { exactNumbers });
  if (violations.length === 0) return { ok: true, payload };
  const missing = violations.find((v) => v.rule === "required");
  const first = missing ?? violations[0]!;
  const leaf = first.path.split(/[.[]/).filter(Boolean).pop() ?? first.path;
  return {
    ok: false,
    error: missing ? "MISSING_REQUIRED_ARGUMENTS" : "INVALID_ARGUMENTS",
    subCode: `${missing ? "isv.missing-parameter" : "isv.invalid-parameter"}:${leaf}`,
    subMsg: describeViolations(violations),
  };
}

/** A request_id from the whole request (method, query, body bytes): the same bytes, the same id; 53 bits, so ids do not repeat by chance. */
function toTopRequestId(req: MockRequest): string {
  return toHash53([req.method, req.query], req.rawBody).toString(36).padStart(11, "0") + "mock";
}

/** Whether the real gateway answers other spellings of its path is not documented (it could not be tried): the mock does not. */
function toPathReason(path: string): string {
  return `the TOP gateway is at /router/rest (lower case, no trailing slash), not ${toCappedText(path)}: fix the gateway URL`;
}
