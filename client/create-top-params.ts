import type { TopSignMethod } from "../signing/top-sign.js";
import { signTop } from "../signing/top-sign.js";
import { toTopTimestamp } from "../signing/verify.js";
import { toParamText } from "./to-param-text.js";

export interface TopParamInput {
  /** API name, e.g. `taobao.pc.refund.detail`. */
  method: string;
  appKey: string;
  secret: string;
  signMethod: TopSignMethod;
  /** Epoch ms, formatted as `yyyy-MM-dd HH:mm:ss` GMT+8; or the formatted text itself. */
  timestamp: number | string;
  format?: "json" | "xml";
  session?: string;
  /** Business parameters; structs are sent as JSON text (losslessly). They may override system ones. */
  params?: Readonly<Record<string, unknown>>;
}

/** Every parameter of one TOP call, `sign` included (computed last, over all the others). */
export function createTopParams(input: TopParamInput): Record<string, string> {
  const params: Record<string, string> = {
    method: input.method,
    app_key: input.appKey,
    timestamp: typeof input.timestamp === "number" ? toTopTimestamp(input.timestamp) : input.timestamp,
    v: "2.0",
    sign_method: input.signMethod,
  };
  if (input.format) params.format = input.format;
  if (input.session) params.session = input.session;
  for (const [name, value] of Object.entries(input.params ?? {})) {
    const text = toParamText(value);
    if (text !== undefined) params[name] = text;
  }
  delete params.sign;
  params.sign = signTop(params, input.secret, input.signMethod);
  return params;
}

/** `application/x-www-form-urlencoded` text (also usable as a query string). */
export function toFormBody(params: Readonly<Record<string, string>>): string {
  return new URLSearchParams(params).toString();
}
