import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import { findDrift } from "./find-drift.js";
import { findPrecisionHazards } from "./find-precision-hazards.js";
import { parseLossless, toExactValue } from "../protocol/parse-lossless.js";
import type { SchemaCursor } from "../schemas/schema-cursor.js";
import { toOperationCursor } from "../schemas/schema-cursor.js";
import { toOperation } from "./to-operation.js";
import { toSortedViolations } from "./to-sorted-violations.js";

/** TOP system parameters: not part of an operation's Request schema. */
export const TOP_SYSTEM_PARAMS: readonly string[] = [
  "method", "app_key", "timestamp", "v", "sign_method", "sign", "format", "session", "simplify", "partner_id", "target_app_key",
];

export interface CheckRequestOptions {
  catalog?: Catalog;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A raw request: a JSON body, or (TOP) a form-encoded parameter string. */
function parseRaw(operation: Operation, text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (operation.meta.api === "top" && !trimmed.startsWith("{")) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(trimmed.replace(/^\?/, ""))) };
  }
  return parseLossless(text);
}

/** TOP parameters as sent: system parameters dropped, struct parameters given as JSON text parsed. */
function toTopBusinessParams(payload: unknown, cursor: SchemaCursor | undefined): unknown {
  if (!isObject(payload)) return payload;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (TOP_SYSTEM_PARAMS.includes(name)) continue;
    const types = cursor?.property(name)?.types;
    const isStruct = types !== undefined && (types.has("object") || types.has("array")) && !types.has("string");
    const parsed = isStruct && typeof value === "string" ? parseLossless(value) : undefined;
    Object.defineProperty(out, name, { value: parsed?.ok ? parsed.value : value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The violations of one request of `operation` (the business payload: a PandaPon body or query,
 * or TOP's business parameters; raw JSON text is parsed losslessly). Failures have severity `error`;
 * members the docs do not know are drift warnings; integers beyond 2^53−1 are precision warnings.
 */
export function checkRequest(operationName: string | Operation, payload: unknown, options: CheckRequestOptions = {}): Violation[] {
  const catalog = options.catalog ?? getCatalog();
  const operation = toOperation(catalog, operationName);
  const cursor = toOperationCursor(catalog, operation, "request");
  let document = payload;
  if (typeof payload === "string") {
    const parsed = parseRaw(operation, payload);
    if (!parsed.ok) return [{ path: "", rule: "parse", severity: "error", message: parsed.message }];
    document = parsed.value;
  }
  if (operation.meta.api === "top") document = toTopBusinessParams(document, cursor);
  if (!operation.request) {
    const members = isObject(document) ? Object.keys(document) : [];
    return members.map((name) => ({ path: name, rule: "drift", severity: "warning", message: "is sent, but the operation takes no parameters" }));
  }
  // The coercing validator (query and form parameters) converts in place: give it a copy, with every
  // number as written (a 19-digit id exact, a fraction a double would round kept a fraction).
  const failures = operation.checkRequest(toExactValue(document), { exactNumbers: true });
  return toSortedViolations([...failures, ...findDrift(document, cursor), ...findPrecisionHazards(document, cursor)]);
}
