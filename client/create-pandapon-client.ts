import { stringify } from "lossless-json";
import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { SignatureScheme } from "../signing/pandapon-scheme.js";
import { DEFAULT_SCHEME } from "../signing/pandapon-scheme.js";
import type {
  OperationTypeMap,
  SentRequest,
  TransportOptions,
  UntypedOperations,
} from "./call-result.js";
import type { OperationClient } from "./call-result.js";
import { ClientError } from "./client-error.js";
import { createNonce } from "./create-nonce.js";
import { createPandaponHeaders } from "./create-pandapon-headers.js";
import { createOperationClient } from "./create-operation-client.js";
import { toParamText } from "./to-param-text.js";
import { toQuerySigned } from "./to-query-signed.js";

export interface PandaponClientOptions extends TransportOptions {
  /** e.g. `https://api.pandapon.com` or the mock's `http://127.0.0.1:4010`. */
  baseUrl: string;
  accessKey: string;
  secret: string;
  userId: string;
  /** The signature scheme (docs/protocols.md: request signature); default `DEFAULT_SCHEME`. */
  scheme?: SignatureScheme;
  /** 32 hex characters by default; injectable for tests. */
  nonce?: () => string;
  /** `nonce-str` is optional in the docs; default true (sent and signed). */
  sendNonce?: boolean;
  catalog?: Catalog;
}

export type PandaponClient<Types extends OperationTypeMap = UntypedOperations> = OperationClient<Types>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The path with `{params}` filled from the payload, and the payload members left for the query or body. */
function toPathAndRest(template: string, payload: Record<string, unknown>): { path: string; rest: Record<string, unknown> } {
  const rest = { ...payload };
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = toParamText(rest[name]);
    if (value === undefined) throw new ClientError("bad-request", `Failed to build "${template}": the path parameter "${name}" is missing from the payload.`);
    delete rest[name];
    return encodeURIComponent(value);
  });
  return { path, rest };
}

function toQuery(params: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = toParamText(item);
      if (text !== undefined) query.append(name, text);
    }
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

/**
 * A signing PandaPon client. Every call gets a fresh `timestamp` (epoch ms) and `nonce-str`,
 * signed with the scheme (`createPandaponHeaders`); `requestIn: "query"` operations (GET by default)
 * send the payload as a query string, `"body"` ones (POST by default) as a JSON body (big integers
 * keep every digit), `"none"` nothing; path `{params}` are filled from the payload.
 * Warehouse operations (`auth: "query-sign"`) carry `timestamp` and `sign` in the query instead (`toQuerySigned`).
 */
export function createPandaponClient<Types extends OperationTypeMap = UntypedOperations>(
  options: PandaponClientOptions,
): PandaponClient<Types> {
  const catalog = options.catalog ?? getCatalog();
  const scheme = options.scheme ?? DEFAULT_SCHEME;
  const now = options.now ?? Date.now;
  const nonce = options.nonce ?? createNonce;
  const baseUrl = options.baseUrl.replace(/\/+$/, "");

  function build(operation: Operation, payload: unknown): SentRequest {
    const { meta } = operation;
    const method = meta.method ?? "POST";
    const { path, rest } = toPathAndRest(meta.path ?? meta.name, isObject(payload) ? payload : {});
    const where = meta.requestIn ?? (method === "GET" ? "query" : "body");
    const inQuery = where === "query";
    const timestamp = String(now());
    const body = where === "body" ? (stringify(rest) ?? "{}") : undefined;
    const signed = createPandaponHeaders({
      accessKey: options.accessKey,
      secret: options.secret,
      userId: options.userId,
      scheme,
      timestamp,
      nonce: options.sendNonce === false ? undefined : nonce(),
      body,
    });
    const querySigned = meta.auth === "query-sign" ? toQuerySigned(signed.headers) : undefined;
    const headers: Record<string, string> = { ...(querySigned?.headers ?? signed.headers), accept: "application/json" };
    const query = { ...(inQuery ? rest : {}), ...querySigned?.query };
    if (body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
    const request: SentRequest = { method, url: `${baseUrl}${path}${toQuery(query)}`, headers };
    if (body !== undefined) request.body = body;
    return request;
  }

  return createOperationClient<Types>(catalog, options, { api: "pandapon", calls: "PandaPon client calls PandaPon operations" }, build);
}
