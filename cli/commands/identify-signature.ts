import type { Command } from "commander";
import type { RequestData } from "../../client/parse-curl.js";
import { parseCurl } from "../../client/parse-curl.js";
import { parseHttpRequest } from "../../client/parse-http-request.js";
import type { Identification, SignedRequest } from "../../signing/identify-signature.js";
import { identifySignature } from "../../signing/identify-signature.js";
import { SECRET_MASK, describeScheme } from "../../signing/pandapon-scheme.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, readInputFile, runAction } from "../command-io.js";
import { readTextOption } from "../read-text-option.js";

interface IdentifyOptions {
  accessKey?: string;
  timestamp?: string;
  nonceStr?: string;
  signature?: string;
  body?: string;
  secret?: string;
  file?: string;
  curl?: string;
  http?: string;
  json?: boolean;
}

type PartialRequest = { [K in keyof SignedRequest]?: SignedRequest[K] };

function fromRequest(request: RequestData): PartialRequest {
  const h = request.headers;
  return { accessKey: h["access-key"], timestamp: h.timestamp, nonceStr: h["nonce-str"], signature: h.signature, body: request.body };
}

/** A JSON file: header names (`access-key`, …) or camelCase keys, at the top or under `headers`, plus `body`. */
function fromJsonFile(text: string): PartialRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`Failed to read --file: it is not JSON (${(error as Error).message}).`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null) throw new InputError("Failed to read --file: it must be a JSON object.");
  const root = parsed as Record<string, unknown>;
  const headers = { ...root, ...(typeof root.headers === "object" && root.headers ? (root.headers as Record<string, unknown>) : {}) };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const toText = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
  const body = typeof root.body === "string" ? root.body : root.body !== undefined ? JSON.stringify(root.body) : undefined;
  return {
    accessKey: toText(lower["access-key"] ?? lower.accesskey),
    timestamp: toText(lower.timestamp),
    nonceStr: toText(lower["nonce-str"] ?? lower.noncestr),
    signature: toText(lower.signature),
    body,
  };
}

function readSignedRequest(options: IdentifyOptions, io: CommandIo): SignedRequest {
  let base: PartialRequest = {};
  if (options.file) base = fromJsonFile(readTextOption(options.file, io, /^\{/));
  const parsed = options.curl
    ? parseCurl(readTextOption(options.curl, io, /^curl\s/))
    : options.http
      ? parseHttpRequest(readTextOption(options.http, io, /^[A-Z]+ \S+/))
      : undefined;
  if (parsed && !parsed.ok) throw new InputError(parsed.message);
  if (parsed) base = { ...base, ...fromRequest(parsed.request) };
  const body = options.body?.startsWith("@") ? readInputFile(io, options.body.slice(1)) : options.body;
  const merged = {
    accessKey: options.accessKey ?? base.accessKey,
    timestamp: options.timestamp ?? base.timestamp,
    nonceStr: options.nonceStr ?? base.nonceStr,
    signature: options.signature ?? base.signature,
    body: body ?? base.body,
  };
  const missing = (["accessKey", "timestamp", "signature"] as const).filter((k) => !merged[k]);
  if (missing.length > 0) {
    const names = missing.map((k) => ({ accessKey: "access-key", timestamp: "timestamp", signature: "signature" })[k]);
    throw new InputError(`Failed to identify the signature: ${names.join(", ")} missing; give them with --${names.join(", --")}, --file, --curl or --http.`);
  }
  return {
    accessKey: merged.accessKey!,
    timestamp: merged.timestamp!,
    signature: merged.signature!,
    ...(merged.nonceStr ? { nonceStr: merged.nonceStr } : {}),
    ...(merged.body ? { body: merged.body } : {}),
  };
}

/** describeScheme writes a newline separator as is in the secret pair; keep each match on one line. */
const toOneLine = (text: string) => text.replace(/\n/g, "\\n");

function toReport(result: Identification, secretNote: string, ms: number): string {
  const lines: string[] = [];
  const searched = `tried ${result.tried} candidate schemes, ${result.computed} digests, ${ms} ms; secret ${secretNote}`;
  if (result.matches.length === 0) return [`No signature scheme reproduces the signature (${searched}).`, ...result.hints.map((h) => `  ${h}`)].join("\n");
  const n = result.matches.length;
  lines.push(`Found ${n} signature scheme${n === 1 ? "" : "s"} that reproduce${n === 1 ? "s" : ""} the signature (${searched}).`);
  if (n > 1) lines.push("Several schemes give this signature for this request; identify a second request to tell them apart.");
  result.matches.forEach((match, i) => {
    lines.push("", `${i + 1}. ${toOneLine(match.description)}`, `   string-to-sign: ${JSON.stringify(match.maskedStringToSign)}`);
    // Schemes described like the match (e.g. a listed order that is the sorted order) are the same scheme to a reader.
    const others = [...new Set(match.equivalents.map((e) => toOneLine(describeScheme(e))))].filter((d) => d !== toOneLine(match.description));
    if (others.length > 0) {
      lines.push(`   same string for this request: ${others.length} more (${others.slice(0, 3).join("; ")}${others.length > 3 ? "; …" : ""})`);
    }
    for (const note of match.notes) lines.push(`   note: ${note}`);
    lines.push("   Paste into the mock's and the client's config:", JSON.stringify({ signatureScheme: match.scheme }, null, 2));
  });
  return lines.join("\n");
}

function runIdentify(options: IdentifyOptions, io: CommandIo): number {
  const request = readSignedRequest(options, io);
  const fromFlag = options.secret !== undefined;
  const secret = options.secret ?? io.env.PANDAPON_SECRET;
  if (!secret) throw new InputError("Failed to identify the signature: no secret; pass --secret or set PANDAPON_SECRET.");
  const secretNote = `${SECRET_MASK} (${secret.length} characters, from ${fromFlag ? "--secret" : "PANDAPON_SECRET"})`;
  const started = performance.now();
  const result = identifySignature(request, secret);
  const ms = Math.round(performance.now() - started);
  if (options.json) {
    const matches = result.matches.map((m) => ({
      signatureScheme: m.scheme,
      description: m.description,
      maskedStringToSign: m.maskedStringToSign,
      equivalents: m.equivalents,
      notes: m.notes,
    }));
    io.out(JSON.stringify({ matches, tried: result.tried, computed: result.computed, hints: result.hints }, null, 2) + "\n");
  } else {
    io.out(toReport(result, secretNote, ms) + "\n");
  }
  return result.matches.length > 0 ? 0 : 1;
}

export function registerIdentifySignature(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "identify-signature", io)
    .description("find the signature scheme that reproduces one request your working integration signed (offline; exit 0 found, 1 none, 2 bad input)")
    .option("--access-key <key>", "the access-key header value")
    .option("--timestamp <timestamp>", "the timestamp header value, exactly as sent")
    .option("--nonce-str <nonce>", "the nonce-str header value, when one was sent")
    .option("--signature <signature>", "the signature header value")
    .option("--body <body>", "the raw body exactly as sent, or @file")
    .option("--secret <secret>", "the AccessSecret (default: $PANDAPON_SECRET); never printed")
    .option("--file <file>", 'a JSON file: {"access-key", "timestamp", "nonce-str", "signature", "body"} (or camelCase, or under "headers")')
    .option("--curl <file>", "a curl command (bash quoting), from a file, - for stdin, or inline")
    .option("--http <file>", "a raw HTTP request (request line, headers, blank line, body), from a file or - for stdin")
    .option("--json", "print the result as JSON")
    .action((options: IdentifyOptions) => runAction(io, () => runIdentify(options, io)));
}
