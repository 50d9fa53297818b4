import { toHexDigest } from "./digest.js";

/** TOP `sign_method` values. */
export type TopSignMethod = "md5" | "hmac" | "hmac-sha256";
export const TOP_SIGN_METHODS: readonly TopSignMethod[] = ["md5", "hmac", "hmac-sha256"];

export function isTopSignMethod(value: unknown): value is TopSignMethod {
  return TOP_SIGN_METHODS.includes(value as TopSignMethod);
}

/** TOP parameters by name: an object, or a Map as a server reads them. */
export type TopParams = Readonly<Record<string, string | undefined>> | ReadonlyMap<string, string>;

/** One parameter's value, whichever form the parameters have. */
export function readTopParam(params: TopParams, name: string): string | undefined {
  return params instanceof Map ? params.get(name) : (params as Readonly<Record<string, string | undefined>>)[name];
}

/**
 * TOP's string-to-sign: every parameter except `sign` and empty values, sorted by name (ASCII),
 * written as name + value with no separators (doc 101617; official SDK `signTopRequest`).
 */
export function toTopStringToSign(params: TopParams): string {
  let s = "";
  for (const name of (params instanceof Map ? [...params.keys()] : Object.keys(params)).sort()) {
    const value = readTopParam(params, name);
    if (name !== "sign" && name !== "" && value !== undefined && value !== "") s += name + value;
  }
  return s;
}

/** Upper-case hex signature: md5(secret + s + secret), HMAC-MD5(s) or HMAC-SHA256(s) keyed by secret. */
export function signTop(params: TopParams, secret: string, method: TopSignMethod): string {
  const s = toTopStringToSign(params);
  const hex =
    method === "md5"
      ? toHexDigest("md5", secret + s + secret)
      : toHexDigest(method === "hmac" ? "hmac-md5" : "hmac-sha256", s, secret);
  return hex.toUpperCase();
}
