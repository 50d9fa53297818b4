import type { IncomingHttpHeaders } from "node:http";
import { readMultipartFields } from "../mock/top/read-top-params.js";

/** Headers whose values are credentials or identify the caller. */
const SECRET_HEADERS = ["access-key", "signature", "user-id", "authorization", "cookie", "proxy-authorization"];
/** TOP system parameters (and PandaPon's query signature) whose values are credentials. */
const SECRET_PARAMS = new Set(["app_key", "sign", "session", "access_token"]);

/**
 * The credential values one request carries — headers (each of a repeated one: Node joins them with
 * commas), and every value of a credential parameter in the query and in a form-encoded or multipart
 * body (not only the first, which is the one the gateway reads) — to be masked wherever they show
 * again: in messages, the journal, reports and recordings. Values under 4 characters are not masked
 * (see checks/mask-secrets.ts), longer first so that no part of one is left.
 */
export function toRequestSecrets(headers: IncomingHttpHeaders, query: string, body?: Buffer, contentType?: string): string[] {
  const values: string[] = [];
  for (const name of SECRET_HEADERS) {
    const value = headers[name];
    if (typeof value !== "string") continue;
    // The value, and `Bearer <token>`'s token alone; a repeated header's values (`a, b`) each.
    for (const part of [value, ...value.split(",").map((p) => p.trim())]) values.push(part, ...part.split(/\s+/).slice(1));
  }
  for (const [name, value] of readParamPairs(query, body, contentType)) if (SECRET_PARAMS.has(name) && value) values.push(value);
  return [...new Set(values.filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Every parameter of the query and of a form-encoded or multipart body, repeats kept. */
function readParamPairs(query: string, body: Buffer | undefined, contentType: string | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [...new URLSearchParams(query)];
  if (!body || body.length === 0) return pairs;
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) pairs.push(...new URLSearchParams(body.toString("utf8")));
  else if (type.startsWith("multipart/form-data")) pairs.push(...(readMultipartFields(body, contentType!) ?? []));
  return pairs;
}
