import type { IncomingMessage, ServerResponse } from "node:http";
import type { Catalog } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import type { MockRequest } from "../mock/exchange.js";
import { JSON_TYPE } from "../mock/exchange.js";
import type { IdentifiedRequest } from "../mock/replay/identify-request.js";
import { identifyRequest } from "../mock/replay/identify-request.js";
import { isTopGatewayPath } from "../mock/top/is-top-gateway-path.js";
import type { OperationResult, RunSummary } from "../verify/run-contracts.js";
import { addToSummary, toSummary } from "../verify/run-contracts.js";
import { maskSecrets } from "../verify/mask-secrets.js";
import { answerUpstreamFailure } from "./answer-upstream-failure.js";
import type { ExchangeAnswer } from "./check-exchange.js";
import { checkExchange } from "./check-exchange.js";
import type { Recorder } from "./create-recorder.js";
import { createRecorder } from "./create-recorder.js";
import { decodeBody } from "./decode-body.js";
import type { ForwardOutcome, Upstream } from "./forward-exchange.js";
import { MAX_CHECKED_BODY_BYTES, createUpstream, forwardExchange } from "./forward-exchange.js";
import { createCheckQueue } from "./create-check-queue.js";
import { toRequestSecrets } from "./to-request-secrets.js";

export interface ProxyOptions {
  /** The PandaPon API's base URL (`https://api.pandapon.com`): every path but the TOP gateway's goes there. */
  target: string;
  /** The TOP gateway's URL (`https://eco.taobao.com/router/rest`); default: `<target>/router/rest`. */
  topTarget?: string;
  /** Folder to write each checked exchange to (see create-recorder.ts). */
  recordDir?: string;
  /** How long the upstream may stay silent before the proxy answers 504. */
  timeoutMs?: number;
  catalog?: Catalog;
  now?: () => number;
  /** One line per exchange. */
  log?: (line: string) => void;
  /** Called with each exchange's result once it is checked (after the answer has been sent). */
  onResult?: (result: ProxyResult) => void;
  /** Bounds of the checks waiting their turn (default MAX_PENDING_CHECKS exchanges, MAX_PENDING_BYTES of bodies). */
  checkQueue?: { maxPending?: number; maxPendingBytes?: number };
}

/** One exchange as the proxy saw it: verify's result for its operation, and where it was recorded. */
export interface ProxyResult extends OperationResult {
  /** 1 for the first exchange through this proxy, 2 for the next… */
  sequence: number;
  at: string;
  /** The recording's file name, when recording. */
  recording?: string;
}

/** One line of the proxy's journal (GET /__mock/journal on the proxy): what was found, masked. */
export interface ProxyJournalEntry {
  at: string;
  sequence: number;
  api: string;
  operation: string;
  status?: number;
  outcome: string;
  reason?: string;
  violations: Violation[];
}

export type ProxyApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** The last exchanges checked (at most MAX_RESULTS), in the order they finished. */
  readResults(): ProxyResult[];
  /** Counts over every exchange checked since the start, kept or not. */
  readSummary(): RunSummary;
  /** Exchanges that were not operations of the catalog (passed through unchecked) since the start. */
  readUnknownCount(): number;
  /** Exchanges forwarded but not checked since the start: the checks fell behind (their queue was full), or a body was too long to keep. */
  readUncheckedCount(): number;
  readJournal(): ProxyJournalEntry[];
  /** Exchanges still in flight have their checks done (for a summary on exit). */
  settle(): Promise<void>;
};

const JOURNAL_SIZE = 1000;
/** Results kept for the reports on exit (a long session keeps its last ones; the counts cover all). */
export const MAX_RESULTS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The validating proxy: each request goes to the real API as it came and its answer comes back as
 * it came (forward-exchange.ts); then, off the answer's path (a bounded queue run between requests,
 * create-check-queue.ts), the exchange is identified, checked against its operation's contract,
 * journaled and (with recordDir) recorded; an exchange the queue has no room for is forwarded,
 * counted and journaled as unchecked. Requests the
 * catalog does not know pass through unchecked (journaled as `unknown`). The proxy holds no
 * secret: the client's own signature reaches the API.
 */
export function createProxy(options: ProxyOptions): ProxyApp {
  const catalog = options.catalog ?? getCatalog();
  const now = options.now ?? Date.now;
  const pandapon = createUpstream(options.target);
  const top = createUpstream(options.topTarget ?? `${options.target.replace(/\/+$/, "")}/router/rest`);
  const recorder: Recorder | undefined = options.recordDir === undefined ? undefined : createRecorder(options.recordDir, now);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const results: ProxyResult[] = [];
  let summary: RunSummary = toSummary([]);
  let unknownCount = 0;
  const journal: ProxyJournalEntry[] = [];
  const inFlight = new Set<Promise<void>>();
  const checks = createCheckQueue(options.checkQueue);
  let uncheckedCount = 0;
  let sequence = 0;

  const note = (entry: ProxyJournalEntry) => {
    journal.push(entry);
    if (journal.length > JOURNAL_SIZE) journal.shift();
    options.log?.(`${entry.at} ${entry.api} ${entry.operation} → ${entry.status ?? "-"} ${entry.outcome.toUpperCase()}${entry.reason ? ` ${entry.reason}` : ""}`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? "/";
    if (url === "/__mock/journal" && req.method === "GET") {
      const counts = { checked: summary.total, notInCatalog: unknownCount, unchecked: uncheckedCount, waiting: checks.size };
      res.writeHead(200, { "content-type": JSON_TYPE }).end(JSON.stringify({ counts, entries: journal }));
      return;
    }
    const mark = url.indexOf("?");
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? "" : url.slice(mark + 1);
    const isTop = isTopGatewayPath(path);
    const upstream = isTop ? top : pandapon;
    const started = performance.now();
    const at = new Date(now()).toISOString();
    const n = ++sequence;
    const sent: SentRequest = { method: req.method ?? "GET", path, query, headers: req.headers, isTop };
    const done = forwardExchange(req, res, upstream, toUpstreamPath(upstream, isTop, path, mark < 0 ? "" : url.slice(mark)), timeoutMs).then((outcome) => {
      if (!outcome.ok && !res.headersSent && outcome.kind !== "broken") {
        const format = identifyRequest(catalog, toMockRequest(sent, outcome))?.format ?? toTopFormat(query);
        answerUpstreamFailure(res, isTop ? "top" : "pandapon", format, { kind: outcome.kind, reason: outcome.reason });
      }
      const seen = { at, sequence: n, durationMs: Math.round(performance.now() - started) };
      // The answer is on its way: its check waits its turn, off the path of the requests that follow.
      if (outcome.ok && outcome.tooLarge) return leaveUnchecked(sent, outcome, seen, `a body longer than ${MAX_CHECKED_BODY_BYTES / 2 ** 20} MiB (forwarded whole, no copy kept to check)`);
      const bytes = outcome.requestBody.length + (outcome.ok ? outcome.answerBody.length : 0);
      if (!checks.add(() => check(sent, outcome, seen), bytes)) leaveUnchecked(sent, outcome, seen, `the checks fell behind (${checks.size} exchanges waiting): forwarded, not checked`);
    });
    const tracked = done.catch((error: unknown) => options.log?.(`proxy fault on ${req.method} ${path}: ${(error as Error).message}`)).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  /** An exchange forwarded but not checked: counted, and journaled with why. */
  const leaveUnchecked = (sent: SentRequest, outcome: ForwardOutcome, seen: Seen, reason: string) => {
    uncheckedCount += 1;
    const secrets = toRequestSecrets(sent.headers, sent.query, undefined);
    note({ at: seen.at, sequence: seen.sequence, api: sent.isTop ? "top" : "pandapon", operation: maskSecrets(`${sent.method} ${sent.path}`, secrets), status: outcome.ok ? outcome.status : undefined, outcome: "unchecked", reason, violations: [] });
  };

  const check = (sent: SentRequest, outcome: ForwardOutcome, seen: Seen) => {
    try {
      const request = toMockRequest(sent, outcome);
      const identified = identifyRequest(catalog, request);
      const secrets = toRequestSecrets(sent.headers, sent.query, isForm(sent.headers) ? request.rawBody.toString("utf8") : undefined);
      if (!identified) {
        unknownCount += 1;
        note({ at: seen.at, sequence: seen.sequence, api: sent.isTop ? "top" : "pandapon", operation: maskSecrets(`${sent.method} ${sent.path}`, secrets), status: outcome.ok ? outcome.status : undefined, outcome: "unknown", reason: "not an operation of the catalog: passed through unchecked", violations: [] });
        return;
      }
      finish(identified, outcome, request, secrets, seen);
    } catch (error) {
      options.log?.(`proxy fault checking ${sent.method} ${sent.path}: ${(error as Error).message}`);
    }
  };

  const finish = (identified: IdentifiedRequest, outcome: ForwardOutcome, request: MockRequest, secrets: string[], seen: Seen) => {
    const answerBody = outcome.ok ? decodeBody(outcome.answerBody, outcome.headers["content-encoding"] as string | undefined) : undefined;
    const answer: ExchangeAnswer = outcome.ok ? { ok: true, status: outcome.status, body: answerBody } : { ok: false, kind: outcome.kind, reason: outcome.reason };
    const { result, violations } = checkExchange(catalog, identified, answer, seen.durationMs, secrets);
    const proxied: ProxyResult = { ...result, sequence: seen.sequence, at: seen.at };
    // Answers the API gave are recorded; failures of the upstream (no answer, 5xx) are not: replaying them would replay an outage.
    if (recorder && outcome.ok && outcome.status < 500 && answerBody) {
      const contentType = String(outcome.headers["content-type"] ?? "");
      proxied.recording = recorder.record(identified, request.method, request.path, { status: outcome.status, contentType, body: answerBody }, secrets);
    }
    results.push(proxied);
    // Trimmed a thousand at a time, not one by one (each trim moves the whole list).
    if (results.length > MAX_RESULTS + 1000) results.splice(0, results.length - MAX_RESULTS);
    summary = addToSummary(summary, proxied);
    note({ at: seen.at, sequence: seen.sequence, api: identified.api, operation: identified.operation.meta.name, status: result.status, outcome: result.outcome, reason: result.reason, violations });
    options.onResult?.(proxied);
  };

  return Object.assign(handle, {
    readResults: () => results.slice(-MAX_RESULTS),
    readSummary: () => ({ ...summary }),
    readUnknownCount: () => unknownCount,
    readUncheckedCount: () => uncheckedCount,
    readJournal: () => [...journal],
    settle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      checks.drain();
    },
  });
}

/** What the checks need of a request once it is forwarded (not the request itself: its socket is not kept alive by a queued check). */
interface SentRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage["headers"];
  isTop: boolean;
}

interface Seen {
  at: string;
  sequence: number;
  durationMs: number;
}

/** The request as the catalog identifies it: its body decoded (Content-Encoding), empty when it does not decode. */
function toMockRequest(sent: SentRequest, outcome: ForwardOutcome): MockRequest {
  return { method: sent.method, path: sent.path, query: sent.query, headers: sent.headers as Record<string, string | undefined>, rawBody: decodeBody(outcome.requestBody, sent.headers["content-encoding"]) ?? Buffer.alloc(0) };
}

/** The upstream's path for a request: the target's base path before the request's path (TOP: the gateway URL's own path), then `?` and the query exactly as sent. */
function toUpstreamPath(upstream: Upstream, isTop: boolean, path: string, search: string): string {
  const where = isTop ? upstream.url.pathname : `${upstream.url.pathname.replace(/\/+$/, "")}${path}`;
  return `${where}${search}`;
}

function isForm(headers: IncomingMessage["headers"]): boolean {
  return /^application\/x-www-form-urlencoded/i.test(headers["content-type"] ?? "");
}

function toTopFormat(query: string): "json" | "xml" {
  return /(^|&)format=json(&|$)/.test(query) ? "json" : "xml";
}
