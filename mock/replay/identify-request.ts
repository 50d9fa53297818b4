import type { Catalog, Operation } from "../../schemas/catalog.js";
import { TOP_SYSTEM_PARAMS } from "../../checks/check-request.js";
import { parseLossless } from "../../protocol/parse-lossless.js";
import type { MockRequest } from "../exchange.js";
import { readParams } from "../exchange.js";
import { isTopGatewayPath } from "../top/is-top-gateway-path.js";
import { readTopParams } from "../top/read-top-params.js";

/** A request's operation and business payload: what a recording is keyed by, what the proxy checks. */
export interface IdentifiedRequest {
  api: "pandapon" | "top";
  operation: Operation;
  /** The answer format: TOP's `format` parameter (xml by default); PandaPon answers JSON. */
  format: "json" | "xml";
  /**
   * The business payload as sent, numbers as written (LosslessNumber): a PandaPon JSON body or its
   * query parameters (with path parameters), or TOP's business parameters (struct parameters parsed).
   * Never a signature, nonce, timestamp or key: those travel in headers or TOP system parameters.
   */
  business: unknown;
}

/** Query parameters that sign a warehouse operation (auth `query-sign`): not business. */
const QUERY_SIGN_PARAMS = new Set(["sign", "timestamp"]);

function readPandapon(catalog: Catalog, req: MockRequest): IdentifiedRequest | undefined {
  const route = catalog.matchRoute(req.method, req.path);
  if (!route) return undefined;
  const { operation, pathParams } = route;
  let business: Record<string, unknown> = {};
  if (operation.meta.requestIn === "body") {
    const text = req.rawBody.toString("utf8");
    if (text.trim() !== "") {
      const parsed = parseLossless(text);
      // An unreadable body is kept as its text: a request still has a key, and the check reports it.
      business = parsed.ok && isRecord(parsed.value) ? { ...parsed.value } : { "(body)": text };
    }
  } else {
    const signed = operation.meta.auth === "query-sign";
    for (const [name, value] of readParams(req.query)) if (!(signed && QUERY_SIGN_PARAMS.has(name))) business[name] = value;
  }
  for (const [name, value] of Object.entries(pathParams)) business[name] = value;
  return { api: "pandapon", operation, format: "json", business };
}

function readTop(catalog: Catalog, req: MockRequest): IdentifiedRequest | undefined {
  const reading = readTopParams(req.query, req.rawBody, req.headers["content-type"]);
  if (!reading.ok) return undefined;
  const operation = catalog.find(reading.params.get("method") ?? "");
  if (!operation || operation.meta.api !== "top") return undefined;
  const business: Record<string, unknown> = {};
  for (const [name, value] of reading.params) {
    if (TOP_SYSTEM_PARAMS.includes(name)) continue;
    const parsed = /^\s*[[{]/.test(value) ? parseLossless(value) : undefined;
    business[name] = parsed?.ok ? parsed.value : value;
  }
  return { api: "top", operation, format: reading.params.get("format") === "json" ? "json" : "xml", business };
}

/** The operation a request calls and its business payload, or undefined when it calls none the catalog knows. */
export function identifyRequest(catalog: Catalog, req: MockRequest): IdentifiedRequest | undefined {
  return isTopGatewayPath(req.path) ? readTop(catalog, req) : readPandapon(catalog, req);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
