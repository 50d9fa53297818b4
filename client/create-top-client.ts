import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { TopSignMethod } from "../signing/top-sign.js";
import type {
  OperationTypeMap,
  SentRequest,
  TransportOptions,
  UntypedOperations,
} from "./call-result.js";
import type { OperationClient } from "./call-result.js";
import { createTopParams, toFormBody } from "./create-top-params.js";
import { createOperationClient } from "./create-operation-client.js";
import { toParamText } from "./to-param-text.js";

export interface TopClientOptions extends TransportOptions {
  /** The gateway: `https://eco.taobao.com/router/rest`, or a base URL (`/router/rest` is added when it has no path). */
  gateway: string;
  appKey: string;
  secret: string;
  /** Default `md5`. */
  signMethod?: TopSignMethod;
  /** Default `json`; `xml` answers are converted to the JSON shape by the operation's schema. */
  format?: "json" | "xml";
  /** The user's session key, for methods that need one. */
  session?: string;
  catalog?: Catalog;
}

export type TopClient<Types extends OperationTypeMap = UntypedOperations> = OperationClient<Types>;

function toGatewayUrl(gateway: string): string {
  const url = new URL(gateway);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/router/rest";
  return url.href;
}

/**
 * A signing TOP gateway client: a form-encoded POST to `/router/rest` with the system parameters
 * (`method`, `app_key`, `timestamp` in GMT+8, `v=2.0`, `sign_method`, `format`), business
 * parameters as text (structs as JSON text, big ids with every digit), signed by `createTopParams`.
 * Every attempt gets a fresh timestamp and signature.
 */
export function createTopClient<Types extends OperationTypeMap = UntypedOperations>(options: TopClientOptions): TopClient<Types> {
  const catalog = options.catalog ?? getCatalog();
  const now = options.now ?? Date.now;
  const gateway = toGatewayUrl(options.gateway);
  const signMethod = options.signMethod ?? "md5";

  function build(operation: Operation, payload: unknown): SentRequest {
    // Parameter text first (big ids keep every digit), so the struct JSON is exactly what is signed and sent.
    const business: Record<string, string> = {};
    if (typeof payload === "object" && payload !== null) {
      for (const [name, value] of Object.entries(payload)) {
        const text = toParamText(value);
        if (text !== undefined) business[name] = text;
      }
    }
    const params = createTopParams({
      method: operation.meta.topMethod ?? operation.meta.name,
      appKey: options.appKey,
      secret: options.secret,
      signMethod,
      timestamp: now(),
      format: options.format ?? "json",
      session: options.session,
      params: business,
    });
    return {
      method: "POST",
      url: gateway,
      headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8", accept: "application/json, text/xml" },
      body: toFormBody(params),
    };
  }

  return createOperationClient<Types>(catalog, options, { api: "top", calls: "TOP client calls TOP gateway methods" }, build);
}
