import { SECRET_MASK } from "./pandapon-scheme.js";
import type { TopSignMethod } from "./top-sign.js";
import { signTop, toTopStringToSign } from "./top-sign.js";

export interface TopSignatureExplanation {
  sign: string;
  /** What is digested, secret masked: `******s******` for md5, `s` for the HMAC methods. */
  maskedStringToSign: string;
  steps: string[];
}

/** How TOP's `sign` is computed for these parameters, step by step, with the secret masked. */
export function explainTopSignature(
  params: Readonly<Record<string, string | undefined>>,
  secret: string,
  method: TopSignMethod,
): TopSignatureExplanation {
  const names = Object.keys(params).filter((n) => n !== "sign" && n !== "" && params[n] !== undefined && params[n] !== "");
  const dropped = Object.keys(params).filter((n) => !names.includes(n));
  const s = toTopStringToSign(params);
  const maskedStringToSign = method === "md5" ? SECRET_MASK + s + SECRET_MASK : s;
  const sign = signTop(params, secret, method);
  const digest =
    method === "md5" ? "MD5 of the secret + string + secret" : `${method === "hmac" ? "HMAC-MD5" : "HMAC-SHA256"} of the string, keyed by the secret (${SECRET_MASK})`;
  const steps = [
    `1. parameters: ${names.length}${dropped.length > 0 ? ` (left out: ${dropped.join(", ")} — sign and empty values are not signed)` : ""}`,
    `2. sorted by name (ASCII): ${[...names].sort().join(", ")}`,
    `3. concatenated as name + value, no separators: ${s}`,
    `4. ${method === "md5" ? `secret before and after: ${maskedStringToSign}` : "secret: not in the string"}`,
    `5. digest: ${digest}, UTF-8`,
    `6. upper-case hex → sign=${sign}`,
  ];
  return { sign, maskedStringToSign, steps };
}
