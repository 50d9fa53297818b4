import { MESSAGE_LIMIT, toCappedText, toOwnText } from "../protocol/capped-text.js";
import { fromWireText } from "../protocol/wire-text.js";
import type { BoundedMap } from "./bounded-map.js";
import { createBoundedMap } from "./bounded-map.js";
import type { JournalEntry, JournalNote, MockRequest, MockResponse } from "./exchange.js";
import { readParams } from "./exchange.js";

/**
 * The request journal: what each request sent (method, path, query, headers, body) and what it was
 * answered (status, content type, body), with the line people read (api, operation, code, message).
 *
 * Bounded: at most `entries` of them and `bytes` together (oldest forgotten first); a body is kept
 * up to `bodyBytes` (the rest is cut, and the entry says how much). Cheap on the hot path: an entry
 * keeps the bytes already at hand (the request's body buffer, the answer's wire text — a cached
 * answer is the cache's own string); nothing is decoded, parsed or masked until it is read.
 *
 * Masked when read, in every text of the entry: the values of the `signature` and `authorization`
 * headers (and any header named like a secret, a token or a signature), TOP's `sign` and `session`
 * parameters, PandaPon's query `sign`, and the configured secrets (access keys' secrets, TOP apps'
 * secrets, the admin token) wherever they appear.
 */
export interface Journal {
  /** Keeps one exchange; `note` is the line people read. */
  add(note: JournalNote, request: MockRequest | undefined, response: MockResponse | undefined): void;
  /** Entries as shown (masked), newest first, filtered. */
  list(filter?: JournalFilter): JournalEntry[];
  clear(): void;
  readonly size: number;
  readonly bytes: number;
}

export interface JournalFilter {
  /** The operation's name: a PandaPon path or a TOP method. */
  operation?: string;
  tenant?: string;
  status?: number;
  /** Epoch ms: entries at or after. */
  since?: number;
  limit?: number;
}

export interface JournalBounds {
  entries: number;
  bytes: number;
  bodyBytes: number;
  /** Texts masked wherever they appear (secrets of keys and apps, the admin token). */
  secrets: readonly string[];
  now(): number;
}

/** What an entry weighs besides its texts: its members; and the members of a request and an answer. */
const ENTRY_OVERHEAD = 100;
const EXCHANGE_OVERHEAD = 200;
/** A body shown as JSON text may be escaped to about twice its bytes (quotes, backslashes). */
const BODY_WEIGHT = 2;
const MASK = "***";
/** Header names whose values are never shown. */
const SECRET_HEADER = /sign|secret|token|authorization|password|cookie/i;
/** Parameters (query or form) whose values are never shown: TOP's sign and session, PandaPon's query sign. */
const SECRET_PARAMS = new Set(["sign", "session", "access_token", "secret"]);
/** Shorter texts are not masked by value (a one-character "signature" would mask every such character). */
const MIN_MASKED_LENGTH = 6;

interface StoredEntry {
  id: number;
  at: number;
  note: JournalNote;
  request?: { method: string; path: string; query: string; headers: Readonly<Record<string, string | undefined>>; body: Buffer; bodyBytes: number };
  response?: { status: number; contentType: string; body: string; bodyBytes: number };
}

export function createJournal(bounds: JournalBounds): Journal {
  let map: BoundedMap<StoredEntry, number> = newMap(bounds);
  let next = 1;
  const secrets = bounds.secrets.filter((s) => s.length >= MIN_MASKED_LENGTH);
  return {
    add(note, request, response) {
      const id = next++;
      const entry: StoredEntry = { id, at: bounds.now(), note: { ...note, operation: toOwnText(toCappedText(note.operation)), message: toOwnText(toCappedText(note.message, MESSAGE_LIMIT)) } };
      if (request) {
        const raw = request.rawBody;
        // A body over the cap is copied (a slice would keep the whole request alive); a small one is the request's own buffer.
        const body = raw.length > bounds.bodyBytes ? Buffer.from(raw.subarray(0, bounds.bodyBytes)) : raw;
        entry.request = { method: request.method, path: toOwnText(toCappedText(request.path)), query: request.query.length > bounds.bodyBytes ? toOwnText(request.query.slice(0, bounds.bodyBytes)) : request.query, headers: request.headers, body, bodyBytes: raw.length };
      }
      if (response) {
        const text = response.body;
        entry.response = { status: response.status, contentType: response.contentType, body: text.length > bounds.bodyBytes ? toOwnText(text.slice(0, bounds.bodyBytes)) : text, bodyBytes: text.length };
      }
      map.set(id, entry);
    },
    list(filter = {}) {
      const all = [...map.values()];
      const shown: JournalEntry[] = [];
      const limit = filter.limit ?? Infinity;
      for (let i = all.length - 1; i >= 0 && shown.length < limit; i--) {
        const entry = all[i]!;
        if (filter.operation !== undefined && entry.note.operation !== filter.operation) continue;
        if (filter.status !== undefined && entry.note.status !== filter.status) continue;
        if (filter.since !== undefined && entry.at < filter.since) continue;
        const view = show(entry, secrets);
        if (filter.tenant !== undefined && view.tenant !== filter.tenant) continue;
        shown.push(view);
      }
      return shown;
    },
    clear() {
      map = newMap(bounds);
    },
    get size() {
      return map.size;
    },
    get bytes() {
      return map.bytes;
    },
  };
}

function newMap(bounds: JournalBounds): BoundedMap<StoredEntry, number> {
  return createBoundedMap<StoredEntry, number>(bounds.entries, { maxBytes: bounds.bytes, sizeOf: (_, entry) => weigh(entry) });
}

function weigh(entry: StoredEntry): number {
  let size = ENTRY_OVERHEAD + entry.note.operation.length + entry.note.message.length;
  const { request, response } = entry;
  if (request) {
    size += EXCHANGE_OVERHEAD + request.path.length + request.query.length * BODY_WEIGHT + request.body.length * BODY_WEIGHT;
    for (const name in request.headers) size += name.length + 6 + (request.headers[name]?.length ?? 0) * BODY_WEIGHT;
  }
  if (response) size += response.body.length * BODY_WEIGHT;
  return size;
}

/** The entry as people and tests read it: bodies decoded, secrets masked. */
function show(entry: StoredEntry, secrets: readonly string[]): JournalEntry {
  const { request, response, note } = entry;
  const masked = [...secrets];
  const view: JournalEntry = { id: entry.id, at: entry.at, ...note };
  if (request) {
    const headers: Record<string, string> = {};
    for (const name in request.headers) {
      const value = request.headers[name];
      if (value === undefined) continue;
      if (SECRET_HEADER.test(name)) {
        if (value.length >= MIN_MASKED_LENGTH) masked.push(value);
        headers[name] = MASK;
      } else headers[name] = value;
    }
    const body = request.body.toString("utf8");
    const form = /x-www-form-urlencoded/i.test(request.headers["content-type"] ?? "");
    const query = maskParams(request.query, masked);
    const shownBody = form ? maskParams(body, masked) : body;
    view.tenant ??= toTenant(note.api, request.headers, request.query, form ? body : "");
    view.request = { method: request.method, path: request.path, query, headers, body: shownBody, ...(request.bodyBytes > request.body.length ? { bodyCut: request.bodyBytes - request.body.length } : {}) };
  }
  if (response) {
    view.response = { status: response.status, contentType: response.contentType, body: fromWireText(response.body), ...(response.bodyBytes > response.body.length ? { bodyCut: response.bodyBytes - response.body.length } : {}) };
  }
  return maskEverywhere(view, masked);
}

/** `name=value&…` with the values of secret parameters replaced (and remembered, to mask them elsewhere too). */
function maskParams(text: string, masked: string[]): string {
  if (!text) return text;
  return text
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0 || !SECRET_PARAMS.has(pair.slice(0, eq).toLowerCase())) return pair;
      const value = pair.slice(eq + 1);
      if (value.length >= MIN_MASKED_LENGTH) {
        masked.push(value);
        try {
          masked.push(decodeURIComponent(value.replaceAll("+", " ")));
        } catch {
          // a malformed escape: the raw text is masked
        }
      }
      return `${pair.slice(0, eq)}=${MASK}`;
    })
    .join("&");
}

/** Every string in the entry with each masked text replaced. */
function maskEverywhere(view: JournalEntry, masked: readonly string[]): JournalEntry {
  const texts = [...new Set(masked.filter((t) => t.length >= MIN_MASKED_LENGTH))];
  if (texts.length === 0) return view;
  const mask = (value: unknown): unknown => {
    if (typeof value === "string") {
      let out = value;
      for (const t of texts) if (out.includes(t)) out = out.replaceAll(t, MASK);
      return out;
    }
    if (value && typeof value === "object") {
      const copy: Record<string, unknown> = Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {};
      for (const [k, v] of Object.entries(value)) copy[k] = mask(v);
      return copy;
    }
    return value;
  };
  return mask(view) as JournalEntry;
}

/** The caller's tenant as the request names it: PandaPon's access-key header, TOP's app_key. */
function toTenant(api: JournalNote["api"], headers: Readonly<Record<string, string | undefined>>, query: string, form: string): string | undefined {
  if (api === "pandapon") return headers["access-key"];
  if (api === "top") return readParams(query).get("app_key") ?? readParams(form).get("app_key");
  return undefined;
}
