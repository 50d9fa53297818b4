import type { DigestAlgorithm } from "./digest.js";
import { DIGEST_ALGORITHMS, isHmac, toHexDigest } from "./digest.js";
import type { SchemeLayout } from "./list-candidate-schemes.js";
import { listCandidateLayouts } from "./list-candidate-schemes.js";
import type { SignatureScheme, SignedValues } from "./pandapon-scheme.js";
import { SECRET_MASK, describeScheme, toStringToSign } from "./pandapon-scheme.js";

/** One request that a working integration signed, as it went over the wire. */
export interface SignedRequest {
  accessKey: string;
  timestamp: string;
  /** Absent or empty when the request had no `nonce-str` header. */
  nonceStr?: string;
  signature: string;
  /** The raw body exactly as sent, when there was one. */
  body?: string;
}

export interface SignatureMatch {
  /** The scheme to configure (`sorted` preferred over the identical listed order). */
  scheme: SignatureScheme;
  description: string;
  /** Other candidates that give the very same string-to-sign and digest for this request. */
  equivalents: SignatureScheme[];
  /** The string-to-sign of this request under the scheme, secret masked. */
  maskedStringToSign: string;
  /** What this one request cannot tell, e.g. where an unsent nonce-str would go. */
  notes: string[];
}

export interface Identification {
  matches: SignatureMatch[];
  /** Candidate schemes checked (each algorithm and case counted, the case the signature rules out not). */
  tried: number;
  /** Digests actually computed (identical strings-to-sign and hex lengths are shared). */
  computed: number;
  /** What to check next when nothing matched (or what was odd about the input). */
  hints: string[];
}

const SIGNED_HEADERS = ["access-key", "nonce-str", "timestamp"] as const;
const HEX_LENGTH: Record<DigestAlgorithm, number> = {
  md5: 32,
  "hmac-md5": 32,
  sha1: 40,
  "hmac-sha1": 40,
  sha256: 64,
  "hmac-sha256": 64,
};

function toSignedValues(request: SignedRequest): SignedValues {
  const headers: Record<string, string> = { "access-key": request.accessKey, timestamp: request.timestamp };
  if (request.nonceStr) headers["nonce-str"] = request.nonceStr;
  return request.body ? { headers, body: request.body } : { headers };
}

/** The cases worth trying: a signature with letters of one case rules out the other. */
function toCases(signature: string): Array<SignatureScheme["case"]> {
  const upper = /[A-F]/.test(signature);
  const lower = /[a-f]/.test(signature);
  if (upper && lower) return [];
  if (upper) return ["upper"];
  if (lower) return ["lower"];
  return ["upper", "lower"];
}

function toHints(request: SignedRequest, secret: string, tried: number): string[] {
  const hints: string[] = [];
  const sig = request.signature;
  if (!/^[0-9a-fA-F]*$/.test(sig)) {
    hints.push(`The signature "${sig.slice(0, 16)}…" is not hex; only hex digests are tried (base64 or other encodings are not).`);
  } else if (![32, 40, 64].includes(sig.length)) {
    hints.push(`The signature has ${sig.length} hex characters; MD5 gives 32, SHA-1 40, SHA-256 64. Check that it was copied whole.`);
  } else if (toCases(sig).length === 0) {
    hints.push("The signature mixes upper- and lower-case hex letters; a digest is printed in one case. Check it was copied exactly.");
  }
  if (secret !== secret.trim()) hints.push("The secret starts or ends with whitespace; check it was copied without a newline or space.");
  if (request.accessKey !== request.accessKey.trim() || request.timestamp !== request.timestamp.trim()) {
    hints.push("A header value starts or ends with whitespace; use the values exactly as sent.");
  }
  hints.push(
    `None of the ${tried} candidate schemes reproduces the signature. Check next:`,
    "the secret: the AccessSecret paired with this access-key (not the access-key itself), from the same environment;",
    "the exact header values as sent (access-key, timestamp, nonce-str), taken from the same request as the signature;",
    `the timestamp unit: ${/^\d{13}$/.test(request.timestamp) ? "milliseconds were sent" : "the docs' example is epoch milliseconds (13 digits)"}; the signer may have used another value than the header's;`,
    request.body
      ? "the body bytes: the exact raw body (whitespace, key order, escaping), not a re-serialised copy;"
      : "the body: if the request had one, pass it exactly as sent, since it may be signed;",
    "whether other values are signed too (user-id, the path or query), or under other names (e.g. accessKey), which this search does not try.",
  );
  return hints;
}

function toNotes(scheme: SignatureScheme, request: SignedRequest): string[] {
  const notes: string[] = [];
  if (!request.nonceStr) {
    notes.push(
      scheme.order === "sorted"
        ? "This request had no nonce-str; the scheme assumes a nonce-str, when sent, is signed in its sorted place."
        : "This request had no nonce-str, so where a nonce-str would go is unknown; identify a request that has one.",
    );
  } else if (!scheme.fields.includes("nonce-str")) {
    notes.push("nonce-str was sent but is not part of the signature.");
  }
  if (request.body && !scheme.includeBody) notes.push("The body is not signed.");
  return notes;
}

/** For a request without nonce-str, a sorted scheme still lists it so later requests that send one work. */
function toScheme(layout: SchemeLayout, algorithm: DigestAlgorithm, hexCase: SignatureScheme["case"], request: SignedRequest): SignatureScheme {
  const fields = !request.nonceStr && layout.order === "sorted" ? [...SIGNED_HEADERS] : layout.fields;
  return { ...layout, fields, algorithm, case: hexCase };
}

/**
 * Finds the signature schemes that reproduce one signed request. Every candidate layout
 * (field order, format, separator, body, secret placement) is turned into its string-to-sign by
 * the same `toStringToSign` the mock uses; identical strings are digested once per algorithm,
 * only algorithms whose hex length fits the signature are computed, and both cases are compared
 * against one lower-case digest.
 */
export function identifySignature(request: SignedRequest, secret: string): Identification {
  const values = toSignedValues(request);
  const sent = SIGNED_HEADERS.filter((name) => values.headers[name]);
  const layouts = listCandidateLayouts({ sent, optional: ["nonce-str"], hasBody: values.body !== undefined });
  const byString = new Map<string, SchemeLayout[]>();
  for (const layout of layouts) {
    const s = toStringToSign({ ...layout, algorithm: "md5", case: "upper" }, values, secret);
    const group = byString.get(s);
    if (group) group.push(layout);
    else byString.set(s, [layout]);
  }

  const wanted = request.signature.trim().toLowerCase();
  const cases = toCases(request.signature.trim());
  const matches: SignatureMatch[] = [];
  let tried = 0;
  let computed = 0;
  for (const [s, group] of byString) {
    for (const algorithm of DIGEST_ALGORITHMS) {
      const usable = isHmac(algorithm) ? group : group.filter((l) => l.secretPlacement !== "none");
      if (usable.length === 0) continue;
      tried += usable.length * cases.length;
      if (cases.length === 0 || HEX_LENGTH[algorithm] !== wanted.length) continue;
      computed += 1;
      if (toHexDigest(algorithm, s, secret) !== wanted) continue;
      const [first, ...rest] = cases.flatMap((c) => usable.map((layout) => toScheme(layout, algorithm, c, request)));
      const scheme = first!;
      matches.push({
        scheme,
        description: describeScheme(scheme),
        equivalents: rest,
        maskedStringToSign: toStringToSign(scheme, values, SECRET_MASK),
        notes: toNotes(scheme, request),
      });
    }
  }
  return { matches, tried, computed, hints: matches.length > 0 ? [] : toHints(request, secret, tried) };
}
