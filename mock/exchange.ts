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
  body: string;
}

/** One line of the request journal: what happened, for people (never a secret). */
export interface JournalEntry {
  /** Epoch ms (the journal endpoint shows ISO text). */
  at: number;
  api: "pandapon" | "top" | "mock";
  operation: string;
  status: number;
  code: number | string;
  message: string;
}

export const JSON_TYPE = "application/json;charset=UTF-8";
export const XML_TYPE = "text/xml;charset=UTF-8";

/** First value of each query/form parameter, like a servlet's getParameter. */
export function readParams(text: string, into: Map<string, string> = new Map()): Map<string, string> {
  if (!text) return into;
  for (const [key, value] of new URLSearchParams(text)) {
    if (!into.has(key)) into.set(key, value);
  }
  return into;
}
