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
import { createUpstream, forwardExchange } from "./forward-exchange.js";
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
 * it came (forward-exchange.ts); meanwhile, off the answer's path, the exchange is identified,
 * checked against its operation's contract, journaled and (with recordDir) recorded. Requests the
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
  let sequence = 0;

  const note = (entry: ProxyJournalEntry) => {
    journal.push(entry);
    if (journal.length > JOURNAL_SIZE) journal.shift();
    options.log?.(`${entry.at} ${entry.api} ${entry.operation} → ${entry.status ?? "-"} ${entry.outcome.toUpperCase()}${entry.reason ? ` ${entry.reason}` : ""}`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? "/";
    if (url === "/__mock/journal" && req.method === "GET") {
      res.writeHead(200, { "content-type": JSON_TYPE }).end(JSON.stringify({ entries: journal }));
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
    const done = forwardExchange(req, res, upstream, toUpstreamPath(upstream, isTop, path, mark < 0 ? "" : url.slice(mark)), timeoutMs).then((outcome) => {
      const request: MockRequest = { method: req.method ?? "GET", path, query, headers: req.headers as Record<string, string | undefined>, rawBody: decodeBody(outcome.requestBody, req.headers["content-encoding"]) ?? Buffer.alloc(0) };
      const identified = identifyRequest(catalog, request);
      if (!outcome.ok && !res.headersSent && outcome.kind !== "broken") {
        answerUpstreamFailure(res, isTop ? "top" : "pandapon", identified?.format ?? toTopFormat(query), { kind: outcome.kind, reason: outcome.reason });
      }
      const secrets = toRequestSecrets(req.headers, query, isForm(req) ? request.rawBody.toString("utf8") : undefined);
      const durationMs = Math.round(performance.now() - started);
      if (!identified) {
        unknownCount += 1;
        note({ at, sequence: n, api: isTop ? "top" : "pandapon", operation: maskSecrets(`${req.method} ${path}`, secrets), status: outcome.ok ? outcome.status : undefined, outcome: "unknown", reason: "not an operation of the catalog: passed through unchecked", violations: [] });
        return;
      }
      finish(identified, outcome, request, secrets, { at, sequence: n, durationMs });
    });
    const tracked = done.catch((error: unknown) => options.log?.(`proxy fault on ${req.method} ${path}: ${(error as Error).message}`)).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const finish = (identified: IdentifiedRequest, outcome: ForwardOutcome, request: MockRequest, secrets: string[], seen: { at: string; sequence: number; durationMs: number }) => {
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
    if (results.length > MAX_RESULTS) results.splice(0, results.length - MAX_RESULTS);
    summary = addToSummary(summary, proxied);
    note({ at: seen.at, sequence: seen.sequence, api: identified.api, operation: identified.operation.meta.name, status: result.status, outcome: result.outcome, reason: result.reason, violations });
    options.onResult?.(proxied);
  };

  return Object.assign(handle, {
    readResults: () => [...results],
    readSummary: () => ({ ...summary }),
    readUnknownCount: () => unknownCount,
    readJournal: () => [...journal],
    settle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  });
}

/** The upstream's path for a request: the target's base path before the request's path (TOP: the gateway URL's own path), then `?` and the query exactly as sent. */
function toUpstreamPath(upstream: Upstream, isTop: boolean, path: string, search: string): string {
  const where = isTop ? upstream.url.pathname : `${upstream.url.pathname.replace(/\/+$/, "")}${path}`;
  return `${where}${search}`;
}

function isForm(req: IncomingMessage): boolean {
  return /^application\/x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "");
}

function toTopFormat(query: string): "json" | "xml" {
  return /(^|&)format=json(&|$)/.test(query) ? "json" : "xml";
}
