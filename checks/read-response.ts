import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import { toViolations } from "../schemas/violations.js";
import { parseTopXml } from "./parse-top-xml.js";
import type { ApiError } from "./find-api-error.js";
import { describeApiError, findApiError } from "./find-api-error.js";
import { findDrift } from "./find-drift.js";
import { findPrecisionHazards } from "./find-precision-hazards.js";
import type { Parsed } from "../protocol/parse-lossless.js";
import { parseLossless, parseWhenExact, toPlainValue } from "../protocol/parse-lossless.js";
import type { SchemaCursor } from "../schemas/schema-cursor.js";
import { toErrorSchemaRef, toOperationCursor } from "../schemas/schema-cursor.js";
import { toOperation } from "./to-operation.js";
import { toSortedViolations } from "./to-sorted-violations.js";

export interface ResponseReading {
  /** How the body was read: `json` and `xml` from raw text, `value` when a parsed value was given. */
  format: "json" | "xml" | "value";
  /** The document as read, numbers as `LosslessNumber` when parsed from text; undefined when unreadable. */
  document: unknown;
  /** Failures (severity error) first, then warnings (drift, precision). */
  violations: Violation[];
  /** The API's own error, when the document is an error envelope. */
  apiError?: ApiError;
}

export interface ReadResponseOptions {
  catalog?: Catalog;
  /**
   * Read JSON with JSON.parse where that can be made exact (see parseWhenExact): the document then
   * holds plain numbers within ±(2^53−1) and LosslessNumber only beyond; the violations are the same.
   * For a caller that only wants the violations (the proxy): the lossless parse was most of a check.
   */
  plainWhenExact?: boolean;
}

function toText(payload: unknown): string | undefined {
  if (typeof payload === "string") return payload;
  if (payload instanceof Uint8Array) return new TextDecoder().decode(payload);
  return undefined;
}

/** The start of a body, quoted, to show what came instead of the expected document. */
function toSnippet(text: string): string {
  const start = text.trim().replace(/\s+/g, " ");
  if (start === "") return "the body is empty";
  return `the body starts with ${JSON.stringify(start.length > 60 ? `${start.slice(0, 60)}…` : start)}`;
}

function parseBody(catalog: Catalog, operation: Operation, text: string, plainWhenExact: boolean): Parsed & { format: "json" | "xml"; fast?: { plain: unknown; toLossless(): unknown } } {
  const isXml = operation.meta.api === "top" && text.trimStart().startsWith("<");
  const fast = !isXml && plainWhenExact ? parseWhenExact(text) : undefined;
  if (fast !== undefined) return { ok: true, value: undefined, format: "json", fast };
  if (!isXml) {
    const parsed = parseLossless(text);
    return parsed.ok ? { ...parsed, format: "json" } : { ok: false, message: `${parsed.message} (${toSnippet(text)})`, format: "json" };
  }
  const success = toOperationCursor(catalog, operation, "response");
  const error = toOperationCursor(catalog, operation, "error");
  const parsed = parseTopXml(text, { lossless: true, shape: (root) => (root === "error_response" ? error : success) });
  return { ...parsed, format: "xml" };
}

/**
 * Reads a response of `operation` — raw text (JSON parsed losslessly, or TOP XML) or an already
 * parsed value — and checks it: schema failures, the API's error envelope (rule `api-error`,
 * checked against the error schema instead of the success schema), drift and precision warnings.
 */
export function readResponse(operationName: string | Operation, payload: unknown, options: ReadResponseOptions = {}): ResponseReading {
  const catalog = options.catalog ?? getCatalog();
  const operation = toOperation(catalog, operationName);
  const text = toText(payload);
  let document = payload;
  let format: ResponseReading["format"] = "value";
  let fast: { plain: unknown; toLossless(): unknown } | undefined;
  if (text !== undefined) {
    const parsed = parseBody(catalog, operation, text, options.plainWhenExact === true);
    format = parsed.format;
    if (!parsed.ok) {
      return { format, document: undefined, violations: [{ path: "", rule: "parse", severity: "error", message: parsed.message }] };
    }
    document = parsed.value;
    fast = parsed.fast;
  }
  const plain = fast ? fast.plain : toPlainValue(document);
  const apiError = findApiError(operation, plain);
  // The code-and-msg envelope has no data member: its errors are checked by its own schema.
  const asError = apiError !== undefined && operation.meta.envelope !== "pandapon-code-msg";
  const cursor: SchemaCursor | undefined = toOperationCursor(catalog, operation, asError ? "error" : "response");
  const validate = asError ? catalog.getValidator(toErrorSchemaRef(operation)) : undefined;
  const failures = validate ? (validate(plain) ? [] : toViolations(validate.errors)) : operation.checkResponse(plain);
  if (apiError) {
    failures.unshift({
      path: apiError.path,
      rule: "api-error",
      severity: "error",
      message: `the API answered with error ${describeApiError(apiError)}`,
    });
  }
  // Read fast, the tree was plain for the schema; from here on, its big integers are as written.
  if (fast) document = fast.toLossless();
  const violations = toSortedViolations([...failures, ...findDrift(document, cursor), ...findPrecisionHazards(document, cursor)]);
  return apiError ? { format, document, violations, apiError } : { format, document, violations };
}
