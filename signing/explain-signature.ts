import type { SignatureScheme, SignedValues } from "./pandapon-scheme.js";
import { SECRET_MASK, signPandapon, toStringToSign } from "./pandapon-scheme.js";
import { isHmac, toHexDigest } from "./digest.js";

export interface SignatureExplanation {
  signature: string;
  /** The string-to-sign with the secret masked. */
  maskedStringToSign: string;
  /** One line per stage, secret masked: fields, order, parts, body, secret, joined, digest, case. */
  steps: string[];
}

const FORMAT_TEXT: Record<SignatureScheme["format"], string> = {
  pairs: 'each as "name=value"',
  concat: 'each as "namevalue"',
  values: "values only",
};

function toSecretStep(scheme: SignatureScheme): string {
  const key = isHmac(scheme.algorithm) ? `; the secret (${SECRET_MASK}) is the HMAC key` : "";
  switch (scheme.secretPlacement) {
    case "pair":
      return `secret: one more part "${scheme.secretName}=${SECRET_MASK}"${key}`;
    case "prefix":
      return `secret: written before the joined string${key}`;
    case "suffix":
      return `secret: written after the joined string${key}`;
    case "both":
      return `secret: written before and after the joined string${key}`;
    case "none":
      return `secret: not in the string; it is the HMAC key (${SECRET_MASK})`;
  }
}

/**
 * How a PandaPon signature is computed for one request, step by step, with the secret masked.
 * The string and signature shown come from `toStringToSign`/`signPandapon` themselves.
 */
export function explainSignature(scheme: SignatureScheme, values: SignedValues, secret: string): SignatureExplanation {
  const { signature, maskedStringToSign } = signPandapon(scheme, values, secret);
  const sent = scheme.fields.filter((name) => values.headers[name]);
  const skipped = scheme.fields.filter((name) => !values.headers[name]);
  const ordered = scheme.order === "sorted" ? [...sent].sort() : sent;
  const parts = ordered.map((name) => {
    const value = values.headers[name]!;
    return scheme.format === "pairs" ? `${name}=${value}` : scheme.format === "concat" ? name + value : value;
  });
  const lowerHex = toHexDigest(scheme.algorithm, toStringToSign(scheme, values, secret), secret);
  const steps = [
    `1. fields: ${sent.join(", ")}${skipped.length > 0 ? ` (not sent, skipped: ${skipped.join(", ")})` : ""}`,
    `2. order: ${scheme.order === "sorted" ? "sorted by header name (ASCII)" : "as listed in the scheme"} → ${ordered.join(", ")}`,
    `3. parts, ${FORMAT_TEXT[scheme.format]}: ${parts.map((p) => JSON.stringify(p)).join(", ")}`,
    `4. body: ${scheme.includeBody ? (values.body ? `the raw body (${Buffer.byteLength(values.body)} bytes) is one more part` : "signed when sent; none here") : "not signed"}`,
    `5. ${toSecretStep(scheme)}`,
    `6. joined with ${JSON.stringify(scheme.separator)}: ${maskedStringToSign}`,
    `7. digest: ${scheme.algorithm} over the UTF-8 bytes → ${lowerHex}`,
    `8. case: ${scheme.case}-case hex → ${signature}`,
  ];
  return { signature, maskedStringToSign, steps };
}
