import type { Operation } from "../schemas/catalog.js";

/** An error the API answered with, in its own envelope. */
export interface ApiError {
  code: string;
  msg: string;
  subCode?: string;
  subMsg?: string;
  /** Where the code sits in the document: `code` (PandaPon) or `error_response.code` (TOP). */
  path: string;
}

const SUCCESS_CODES = ["200", "0"];

function toText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The API error a response document carries, or undefined for a success document:
 * TOP `{"error_response": {...}}`; PandaPon an envelope whose `code` is not 200 and whose `data`
 * is null or absent. `code: 0` is the documented examples' placeholder for success
 * (docs/protocols.md: envelope), so it is not taken for an error either.
 */
export function findApiError(operation: Operation, document: unknown): ApiError | undefined {
  if (!isObject(document)) return undefined;
  if (operation.meta.api === "top") {
    const error = document.error_response;
    if (!isObject(error)) return undefined;
    return {
      code: toText(error.code) ?? "(no code)",
      msg: toText(error.msg) ?? "(no msg)",
      subCode: toText(error.sub_code),
      subMsg: toText(error.sub_msg),
      path: "error_response.code",
    };
  }
  if (operation.meta.envelope === "none" || !("code" in document)) return undefined;
  const code = toText(document.code);
  if (code === undefined || SUCCESS_CODES.includes(code) || (document.data !== null && document.data !== undefined)) return undefined;
  return { code, msg: toText(document.msg) ?? "(no msg)", path: "code" };
}

/** `401: signature mismatch` or `15: Remote service error (isv.invalid-parameter: 非法参数)` */
export function describeApiError(error: ApiError): string {
  const sub = error.subCode || error.subMsg ? ` (${[error.subCode, error.subMsg].filter(Boolean).join(": ")})` : "";
  return `${error.code}: ${error.msg}${sub}`;
}
