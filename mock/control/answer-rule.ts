import { PANDAPON_ERRORS } from "../../protocol/pandapon-error-table.js";
import type { PandaponErrorName } from "../../protocol/pandapon-error-table.js";
import { MESSAGE_LIMIT, toCappedText } from "../../protocol/capped-text.js";
import { TOP_ERRORS } from "../../protocol/top-error-table.js";
import type { TopErrorName } from "../../protocol/top-error-table.js";
import { toWireText } from "../../protocol/wire-text.js";
import type { MockCore } from "../create-core.js";
import type { ConnectionFault, JournalNote, MockResponse } from "../exchange.js";
import { JSON_TYPE, XML_TYPE } from "../exchange.js";
import type { AnswerFormat } from "../generate/create-producer.js";
import { answerPandaponError } from "../pandapon/answer-pandapon-error.js";
import { writePandaponError } from "../pandapon/write-pandapon-envelope.js";
import { answerTopError } from "../top/answer-top-error.js";
import { writeTopError } from "../top/write-top-envelope.js";
import type { RuleHit } from "./rule-book.js";
import { DEFAULT_HOLD_MS } from "./rule-format.js";
import { TOP_LIMIT_ERRORS } from "./top-limit-errors.js";

/** The request a rule answers, as each protocol knows it. */
export type RuleContext = { api: "pandapon"; operation: string } | { api: "top"; operation: string; format: AnswerFormat; requestId: string };

/** Bytes a random-bytes fault sends by default. */
const RANDOM_BYTES = 64;

/**
 * What a rule's hit answers instead of the operation, or undefined when the operation answers as
 * usual (a latency-only rule: the delay is set on that answer by `withRule`).
 */
export function answerRule(core: MockCore, hit: RuleHit, context: RuleContext): MockResponse | undefined {
  const { answer } = hit.rule;
  const ruleName = hit.rule.name ?? hit.rule.id;
  const note = (status: number, code: number | string, message: string): JournalNote => ({ api: context.api, operation: context.operation, status, code, message, rule: ruleName });
  let response: MockResponse | undefined;
  if (answer.fault !== undefined) {
    const spec = typeof answer.fault === "string" ? { kind: answer.fault } : answer.fault;
    const fault: ConnectionFault =
      spec.kind === "random-bytes"
        ? { kind: "random-bytes", bytes: hit.randomBytes((spec as { bytes?: number }).bytes ?? RANDOM_BYTES) }
        : spec.kind === "no-answer"
          ? { kind: "no-answer", holdMs: (spec as { holdMs?: number }).holdMs ?? DEFAULT_HOLD_MS }
          : { kind: spec.kind };
    response = { status: 0, contentType: "", body: toWireText(""), fault, note: note(0, spec.kind, `connection fault: ${spec.kind}`) };
  } else if (answer.http !== undefined) {
    response = { status: answer.http, contentType: "text/html", body: toWireText(writeGatewayPage(answer.http)), note: note(answer.http, answer.http, `gateway ${answer.http} ${GATEWAY_TITLES[answer.http]}`) };
  } else if (answer.top !== undefined && context.api === "top") {
    const top = typeof answer.top === "string" ? toTopEntry(answer.top) : answer.top;
    response = writeTop(context, top, note);
  } else if (answer.error !== undefined) {
    const error = answer.error;
    if (typeof error === "string") {
      if (context.api === "pandapon" && Object.hasOwn(PANDAPON_ERRORS, error)) {
        const name = error as PandaponErrorName;
        response = answerPandaponError(core, name, context.operation, `${PANDAPON_ERRORS[name].title} (rule ${ruleName})`);
      } else if (context.api === "top" && Object.hasOwn(TOP_ERRORS, error)) {
        response = answerTopError(core, context.format, context.requestId, context.operation, { error: error as TopErrorName });
      }
    } else if (context.api === "pandapon") {
      const msg = toCappedText(error.msg, MESSAGE_LIMIT);
      const status = error.status ?? 200;
      response = { status, contentType: JSON_TYPE, body: writePandaponError(error.code, msg), note: note(status, error.code, msg) };
    } else {
      response = writeTop(context, { code: error.code, msg: error.msg }, note);
    }
  }
  return response && withRule(response, hit);
}

/** An answer with the rule's delay and name on it. */
export function withRule(response: MockResponse, hit: RuleHit): MockResponse {
  if (hit.delayMs > 0) response.delayMs = hit.delayMs;
  if (response.note) response.note = { ...response.note, rule: hit.rule.name ?? hit.rule.id, ...(hit.delayMs > 0 ? { delayMs: hit.delayMs } : {}) };
  return response;
}

/** An answer (now or later) with the rule's delay and name on it. */
export function withRuleLater(answer: MockResponse | Promise<MockResponse>, hit: RuleHit | undefined): MockResponse | Promise<MockResponse> {
  if (!hit) return answer;
  return answer instanceof Promise ? answer.then((r) => withRule(r, hit)) : withRule(answer, hit);
}

function toTopEntry(name: string): { code: number; msg: string; sub_code?: string; sub_msg?: string } {
  const limit = TOP_LIMIT_ERRORS[name as keyof typeof TOP_LIMIT_ERRORS];
  if (limit) return { code: limit.code, msg: limit.msg, sub_code: limit.subCode };
  const entry = TOP_ERRORS[name as TopErrorName] as { code: number; msg: string; subCode?: string };
  return { code: entry.code, msg: entry.msg, ...(entry.subCode ? { sub_code: entry.subCode } : {}) };
}

function writeTop(context: RuleContext & { api: "top" }, top: { code: number; msg: string; sub_code?: string; sub_msg?: string }, note: (status: number, code: number, message: string) => JournalNote): MockResponse {
  const error: Record<string, unknown> = { code: top.code, msg: toCappedText(top.msg, MESSAGE_LIMIT) };
  if (top.sub_code) {
    error.sub_code = toCappedText(top.sub_code);
    if (top.sub_msg) error.sub_msg = toCappedText(top.sub_msg, MESSAGE_LIMIT);
  }
  error.request_id = context.requestId;
  return {
    status: 200,
    contentType: context.format === "json" ? JSON_TYPE : XML_TYPE,
    body: writeTopError(context.format, error),
    note: note(200, top.code, [top.msg, top.sub_code, top.sub_msg].filter(Boolean).join(" | ")),
  };
}

const GATEWAY_TITLES = { 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" } as const;

/**
 * The page a reverse proxy in front of the API answers when the API behind it fails: nginx's own
 * error page (HTML, not the API's envelope). What the real gateways' pages say is not documented;
 * clients should not parse it, only see that it is not the envelope.
 */
export function writeGatewayPage(status: 502 | 503 | 504): string {
  const title = `${status} ${GATEWAY_TITLES[status]}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
