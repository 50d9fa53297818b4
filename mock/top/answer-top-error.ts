import { MESSAGE_LIMIT, toCappedText } from "../../protocol/capped-text.js";
import type { TopErrorEntry, TopFailure } from "../../protocol/top-error-table.js";
import { TOP_ERRORS } from "../../protocol/top-error-table.js";
import type { MockCore } from "../create-core.js";
import type { MockResponse } from "../exchange.js";
import { JSON_TYPE, XML_TYPE } from "../exchange.js";
import type { AnswerFormat } from "../generate/create-producer.js";
import { writeTopError } from "./write-top-envelope.js";

/**
 * The one place TOP errors are answered (with the note the HTTP edge journals): `error_response` in the requested format,
 * HTTP 200, what it echoes capped. A sub_msg goes out only beside a sub_code (see top-error-table.ts).
 */
export function answerTopError(_core: MockCore, format: AnswerFormat, requestId: string, operation: string, failure: TopFailure): MockResponse {
  const entry: TopErrorEntry = TOP_ERRORS[failure.error];
  const { code, msg } = entry;
  const subCode = toCappedText(failure.subCode ?? entry.subCode ?? "");
  const subMsg = failure.subMsg && toCappedText(failure.subMsg, MESSAGE_LIMIT);
  const error: Record<string, unknown> = { code, msg };
  if (subCode) {
    error.sub_code = subCode;
    if (subMsg) error.sub_msg = subMsg;
  }
  error.request_id = requestId;
  return { status: 200, contentType: format === "json" ? JSON_TYPE : XML_TYPE, body: writeTopError(format, error), note: { api: "top", operation, status: 200, code, message: [msg, subCode, subMsg].filter(Boolean).join(" | ") } };
}
