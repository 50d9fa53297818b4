import type { DigestAlgorithm } from "./digest.js";
import { DIGEST_ALGORITHMS, isHmac, toHexDigest } from "./digest.js";

/**
 * How a PandaPon request signature is computed. The docs name the signed headers (access-key,
 * timestamp, nonce-str) but not the string-to-sign, so the rule is data, not code.
 */
export interface SignatureScheme {
  /** Signed header names, in documented order. Headers that were not sent are skipped. */
  fields: string[];
  /** `sorted`: by header name, ASCII; `listed`: in the order of `fields`. */
  order: "sorted" | "listed";
  /** `pairs`: `name=value`; `concat`: `namevalue`; `values`: the values only. */
  format: "pairs" | "concat" | "values";
  /** Joins the parts (fields, then body, then a secret pair). */
  separator: string;
  /** Whether the raw request body is a part (after the fields, when not empty). */
  includeBody: boolean;
  /**
   * Where the secret enters the string: `none` (HMAC key only), `prefix`, `suffix`, `both`
   * (prefix and suffix, glued without separator), or `pair` (one more part `secretName=SECRET`).
   */
  secretPlacement: "none" | "prefix" | "suffix" | "both" | "pair";
  /** Name used by `secretPlacement: "pair"`, e.g. `key` → `&key=SECRET`. */
  secretName: string;
  algorithm: DigestAlgorithm;
  case: "upper" | "lower";
}

/** The project's default assumption (see README "Signatures"), reproducing the test vectors of docs/protocols.md. */
export const DEFAULT_SCHEME: Readonly<SignatureScheme> = Object.freeze({
  fields: ["access-key", "nonce-str", "timestamp"],
  order: "sorted",
  format: "pairs",
  separator: "&",
  includeBody: false,
  secretPlacement: "pair",
  secretName: "key",
  algorithm: "md5",
  case: "upper",
});

/** Values taking part in a signature: header values by lower-case name, and the raw body. */
export interface SignedValues {
  headers: Readonly<Record<string, string | undefined>>;
  body?: string;
}

export const SECRET_MASK = "******";

const sortedFields = new WeakMap<readonly string[], string[]>();

/** The scheme's fields in signing order (sorted once per fields list, not per request). */
function toSigningOrder(scheme: SignatureScheme): readonly string[] {
  if (scheme.order !== "sorted") return scheme.fields;
  let sorted = sortedFields.get(scheme.fields);
  if (!sorted) {
    sorted = [...scheme.fields].sort();
    sortedFields.set(scheme.fields, sorted);
  }
  return sorted;
}

/** The exact string the scheme digests. Pass `SECRET_MASK` as the secret to show it to a person. */
export function toStringToSign(scheme: SignatureScheme, values: SignedValues, secret: string): string {
  const names = toSigningOrder(scheme);
  const parts: string[] = [];
  for (const name of names) {
    const value = values.headers[name];
    if (value === undefined || value === "") continue;
    parts.push(scheme.format === "pairs" ? `${name}=${value}` : scheme.format === "concat" ? name + value : value);
  }
  if (scheme.includeBody && values.body) parts.push(values.body);
  if (scheme.secretPlacement === "pair") parts.push(`${scheme.secretName}=${secret}`);
  const joined = parts.join(scheme.separator);
  switch (scheme.secretPlacement) {
    case "prefix":
      return secret + joined;
    case "suffix":
      return joined + secret;
    case "both":
      return secret + joined + secret;
    default:
      return joined;
  }
}

export interface PandaponSignature {
  signature: string;
  /** The string-to-sign with the secret masked: safe to print. */
  maskedStringToSign: string;
}

/** The signature alone (what the server compares on every request). */
export function toPandaponSignature(scheme: SignatureScheme, values: SignedValues, secret: string): string {
  const hex = toHexDigest(scheme.algorithm, toStringToSign(scheme, values, secret), secret);
  return scheme.case === "upper" ? hex.toUpperCase() : hex;
}

export function signPandapon(scheme: SignatureScheme, values: SignedValues, secret: string): PandaponSignature {
  return { signature: toPandaponSignature(scheme, values, secret), maskedStringToSign: toStringToSign(scheme, values, SECRET_MASK) };
}

/** Returns the problems of a scheme read from configuration (empty when it is usable). */
export function checkScheme(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return ["a signature scheme must be an object"];
  const s = value as Record<string, unknown>;
  const problems: string[] = [];
  if (!Array.isArray(s.fields) || s.fields.some((f) => typeof f !== "string") || s.fields.length === 0) {
    problems.push("fields must be a non-empty list of header names");
  }
  const oneOf = (key: string, allowed: readonly unknown[]) => {
    if (!allowed.includes(s[key])) problems.push(`${key} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  };
  oneOf("order", ["sorted", "listed"]);
  oneOf("format", ["pairs", "concat", "values"]);
  oneOf("secretPlacement", ["none", "prefix", "suffix", "both", "pair"]);
  oneOf("algorithm", DIGEST_ALGORITHMS);
  oneOf("case", ["upper", "lower"]);
  oneOf("includeBody", [true, false]);
  if (typeof s.separator !== "string") problems.push("separator must be a string");
  if (typeof s.secretName !== "string") problems.push("secretName must be a string");
  if (s.secretPlacement === "none" && typeof s.algorithm === "string" && !isHmac(s.algorithm as DigestAlgorithm)) {
    problems.push("secretPlacement \"none\" needs an hmac-* algorithm, or the secret would not be used at all");
  }
  return problems;
}

/** Reads a scheme from partial configuration on top of the default; throws on a bad value. */
export function toScheme(overrides: Partial<SignatureScheme> = {}): SignatureScheme {
  const scheme = { ...DEFAULT_SCHEME, ...overrides } as SignatureScheme;
  const problems = checkScheme(scheme);
  if (problems.length > 0) throw new Error(`Invalid signature scheme: ${problems.join("; ")}.`);
  return scheme;
}

/** One line a person can read, e.g. `md5(sorted pairs joined by "&", + "&key=SECRET") upper-case`. */
export function describeScheme(scheme: SignatureScheme): string {
  const secret =
    scheme.secretPlacement === "pair"
      ? `, then ${JSON.stringify(`${scheme.separator}${scheme.secretName}=SECRET`)}`
      : scheme.secretPlacement === "none"
        ? ", secret as HMAC key"
        : `, secret as ${scheme.secretPlacement}`;
  const body = scheme.includeBody ? ", then the raw body" : "";
  const fields = scheme.order === "sorted" ? [...scheme.fields].sort() : scheme.fields;
  return `${scheme.algorithm}(${scheme.format} of ${fields.join(", ")} joined by ${JSON.stringify(scheme.separator)}${body}${secret}) ${scheme.case}-case hex`;
}
