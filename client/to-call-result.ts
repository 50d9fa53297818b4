import { readResponse } from "../checks/read-response.js";
import { toPlainValue } from "../protocol/parse-lossless.js";
import type { Catalog, Operation } from "../schemas/catalog.js";
import { toTopResponseKey } from "../schemas/operation.js";
import type { CallResult } from "./call-result.js";
import type { HttpAnswer } from "./send-request.js";

function toData(operation: Operation, envelope: unknown): unknown {
  if (typeof envelope !== "object" || envelope === null) return undefined;
  const document = envelope as Record<string, unknown>;
  if (operation.meta.api === "top") return document[toTopResponseKey(operation.meta.topMethod ?? operation.meta.name)];
  return operation.meta.envelope === "none" ? envelope : document.data;
}

/** Reads an HTTP answer as the operation's response: lossless document, data, violations, API error. */
export function toCallResult(
  catalog: Catalog,
  operation: Operation,
  answer: HttpAnswer,
  bigIntegers: "string" | "bigint" = "string",
): CallResult {
  const reading = readResponse(operation, answer.body, { catalog });
  const envelope = toPlainValue(reading.document, bigIntegers);
  const result: CallResult = {
    operation: operation.meta.name,
    status: answer.status,
    headers: answer.headers,
    envelope,
    data: reading.apiError ? undefined : toData(operation, envelope),
    rawBody: answer.body,
    violations: reading.violations,
    request: answer.request,
    attempts: answer.attempts,
    durationMs: answer.durationMs,
  };
  if (reading.apiError) result.apiError = reading.apiError;
  return result;
}
