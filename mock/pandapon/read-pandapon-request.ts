import type { Operation } from "../../schemas/catalog.js";
import { describeViolations } from "../../schemas/violations.js";
import { readJson } from "../read-json.js";
import type { PandaponErrorName } from "../../protocol/pandapon-error-table.js";

export type RequestReading = { ok: true; payload: Record<string, unknown> } | { ok: false; error: PandaponErrorName; message: string };

/**
 * Reads the operation's parameters (JSON body, or the query string; path parameters merged in)
 * and checks them against the Request schema, naming every violated field. Numbers in the body
 * keep their exact value: a 19-digit id is a bigint (see readJson), echoed digit for digit.
 */
export function readPandaponRequest(
  operation: Operation,
  query: Map<string, string>,
  pathParams: Record<string, string>,
  headers: Readonly<Record<string, string | undefined>>,
  rawBody: string,
): RequestReading {
  let payload: Record<string, unknown>;
  let exactNumbers = false;
  if (operation.meta.requestIn === "body") {
    const contentType = headers["content-type"] ?? "";
    if (rawBody.trim() === "") {
      payload = {};
    } else if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
      return {
        ok: false,
        error: "UNSUPPORTED_MEDIA_TYPE",
        message: `Unsupported Content-Type "${contentType.slice(0, 80) || "(none)"}": send the body as application/json.`,
      };
    } else {
      const parsed = readJson(rawBody);
      if (!parsed.ok) return { ok: false, error: "BAD_JSON", message: `Malformed JSON body: ${parsed.reason}.` };
      if (parsed.value === null || typeof parsed.value !== "object" || Array.isArray(parsed.value)) {
        return { ok: false, error: "BAD_JSON", message: "The JSON body must be an object with the operation's parameters." };
      }
      payload = parsed.value as Record<string, unknown>;
      exactNumbers = parsed.exact;
    }
  } else {
    payload = Object.fromEntries([...query].filter(([k]) => k !== "sign" || operation.meta.auth !== "query-sign"));
    if (operation.meta.auth === "query-sign") delete payload.timestamp;
  }
  for (const [name, value] of Object.entries(pathParams)) payload[name] = value;
  const violations = operation.checkRequest(payload, { exactNumbers });
  if (violations.length > 0) {
    return { ok: false, error: "INVALID_REQUEST", message: `Invalid request parameters: ${describeViolations(violations, 10)}.` };
  }
  return { ok: true, payload };
}
