import type { WireText } from "../protocol/wire-text.js";
/** A request as plain data: what the HTTP edge hands the core. */
export interface MockRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The raw query string (without `?`); parsed by each protocol as it needs. */
  query: string;
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
}

/** An answer as plain data: what the core hands the HTTP edge. */
export interface MockResponse {
  status: number;
  contentType: string;
  /** The body's bytes (UTF-8) as wire text: its length is the Content-Length. */
  body: WireText;
  /** The journal's line for this answer (set where the answer is made; the HTTP edge journals it with the request). */
  note?: JournalNote;
  /** Held this long before it is sent (a rule's latency). */
  delayMs?: number;
  /** Instead of an answer, this happens to the connection (a rule's fault): see mock/control/send-fault.ts. */
  fault?: ConnectionFault;
}

/** What a rule can do to a connection instead of answering. */
export type ConnectionFault =
  | { kind: "connection-reset" }
  | { kind: "empty-response" }
  | { kind: "malformed-chunked" }
  | { kind: "random-bytes"; bytes: Buffer }
  | { kind: "no-answer"; holdMs: number };

/** One line of the request journal: what happened, for people (never a secret). */
export interface JournalNote {
  api: "pandapon" | "top" | "mock";
  operation: string;
  status: number;
  code: number | string;
  message: string;
  /** The name (or id) of the rule that changed this answer. */
  rule?: string;
  /** How long a rule held the answer (ms). */
  delayMs?: number;
}

/** One entry of the request journal as read: the line, and the request and answer with bodies (masked). */
export interface JournalEntry extends JournalNote {
  /** A running number (the newest is the highest). */
  id?: number;
  /** Epoch ms (the journal endpoint shows ISO text). */
  at: number;
  /** The PandaPon access-key or TOP app_key the request names. */
  tenant?: string;
  request?: { method: string; path: string; query: string; headers: Record<string, string>; body: string; bodyCut?: number };
  response?: { status: number; contentType: string; body: string; bodyCut?: number };
}

export const JSON_TYPE = "application/json;charset=UTF-8";
export const XML_TYPE = "text/xml;charset=UTF-8";

/** One form-encoded name or value: `+` is a space, `%XX` a UTF-8 byte. Throws on a malformed escape. */
function decodeFormPart(text: string): string {
  if (!text.includes("%") && !text.includes("+")) return text;
  return decodeURIComponent(text.replaceAll("+", " "));
}

/**
 * First value of each query/form parameter, like a servlet's getParameter; decoded exactly as
 * URLSearchParams decodes (tested against it), without its cost for the usual, well-formed text.
 */
export function readParams(text: string, into: Map<string, string> = new Map()): Map<string, string> {
  if (!text) return into;
  // Read straight into `into` when it is empty (a failed fast read then starts it over).
  const read = into.size === 0 ? into : new Map<string, string>();
  try {
    for (const pair of (text.startsWith("?") ? text.slice(1) : text).split("&")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      const key = decodeFormPart(eq < 0 ? pair : pair.slice(0, eq));
      if (!read.has(key)) read.set(key, decodeFormPart(eq < 0 ? "" : pair.slice(eq + 1)));
    }
  } catch {
    // A stray % or bytes that are not UTF-8 (rare): the WHATWG rules keep the one and replace the other.
    read.clear();
    for (const [key, value] of new URLSearchParams(text)) if (!read.has(key)) read.set(key, value);
  }
  if (read !== into) for (const [key, value] of read) if (!into.has(key)) into.set(key, value);
  return into;
}
