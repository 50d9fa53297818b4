import type { IncomingHttpHeaders } from "node:http";
import { readParams } from "../mock/exchange.js";

/** Headers whose values are credentials or identify the caller. */
const SECRET_HEADERS = ["access-key", "signature", "user-id", "authorization", "cookie", "proxy-authorization"];
/** TOP system parameters (and PandaPon's query signature) whose values are credentials. */
const SECRET_PARAMS = ["app_key", "sign", "session", "access_token"];

/**
 * The credential values one request carries (headers, query, form body): masked wherever they show
 * again — in messages, the journal, reports and recordings. Values under 4 characters are not masked
 * (see verify/mask-secrets.ts), longer first so that no part of one is left.
 */
export function toRequestSecrets(headers: IncomingHttpHeaders, query: string, formBody: string | undefined): string[] {
  const values: string[] = [];
  for (const name of SECRET_HEADERS) {
    const value = headers[name];
    if (typeof value === "string") values.push(value, ...value.split(/\s+/).slice(1));
  }
  const params = readParams(query);
  if (formBody !== undefined) readParams(formBody, params);
  for (const name of SECRET_PARAMS) {
    const value = params.get(name);
    if (value) values.push(value);
  }
  return [...new Set(values.filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length);
}
