import type { IncomingMessage, ServerResponse } from "node:http";
import type { Catalog } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import type { MockRequest } from "../mock/exchange.js";
import { JSON_TYPE } from "../mock/exchange.js";
import { identifyRequest } from "../mock/replay/identify-request.js";
import { isTopGatewayPath } from "../mock/top/is-top-gateway-path.js";
import type { OperationResult, RunSummary } from "../verify/run-contracts.js";
import { addToSummary, toSummary } from "../verify/run-contracts.js";
import { toSecretMask } from "../checks/mask-secrets.js";
import { answerUpstreamFailure } from "./answer-upstream-failure.js";
import type { Recorder } from "./create-recorder.js";
import { createRecorder } from "./create-recorder.js";
import { decodeBody } from "./decode-body.js";
import type { ForwardOutcome, Upstream } from "./forward-exchange.js";
import { MAX_CHECKED_BODY_BYTES, createUpstream, forwardExchange } from "./forward-exchange.js";
import { MAX_PENDING_BYTES, MAX_PENDING_CHECKS, createThreadChecks } from "./create-check-queue.js";
import type { CheckRunner } from "./create-check-workers.js";
import { MAX_CHECK_WORKERS, createCheckWorkers, findCheckWorker } from "./create-check-workers.js";
import type { CheckReply } from "./run-check-job.js";
import { toCheckJob } from "./run-check-job.js";
import { toRequestSecrets } from "./to-request-secrets.js";
import type { CheckGate, GateCounts } from "./create-check-gate.js";
import { createCheckGate } from "./create-check-gate.js";

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
  /** What goes wrong in the proxy itself: a check worker that stopped, a fault (default: `log`). */
  warn?: (line: string) => void;
  /** Called with each exchange's result once it is checked (after the answer has been sent). */
  onResult?: (result: ProxyResult) => void;
  /**
   * Never leave an exchange unchecked because the checks fell behind: when the checks waiting
   * (and the exchanges being forwarded) are at their bound, a new request waits before it is
   * forwarded until there is room — forwarding slows to the checks' pace (see create-check-gate.ts).
   * An exchange left unchecked all the same (a body over MAX_CHECKED_BODY_BYTES, a check worker
   * that stopped) is warned about.
   */
  checkAll?: boolean;
  /**
   * Bounds of the checks waiting their turn (default MAX_PENDING_CHECKS exchanges, MAX_PENDING_BYTES
   * of bodies) and, with checkAll, of the requests waiting for room (default MAX_WAITING_REQUESTS).
   */
  checkQueue?: { maxPending?: number; maxPendingBytes?: number; maxWaiting?: number };
  /**
   * Worker threads that run the checks (default 1: the forwarding on one core, the checks on
   * another); 0 runs them on the proxy's own thread, between requests. With a `catalog` of your own
   * they run on the proxy's thread (a worker loads the package's catalog). At most MAX_CHECK_WORKERS.
   */
  checkWorkers?: number;
  /** The check worker's module (default: check-worker.js beside this module). */
  checkWorkerFile?: URL;
}

/** The proxy's counts since the start (GET /__mock/journal on the proxy gives them too). */
export interface ProxyCounts {
  /** Exchanges checked against their contracts. */
  checked: number;
  /** Exchanges that were not operations of the catalog (passed through unchecked). */
  notInCatalog: number;
  /** Exchanges forwarded but not checked (see readUncheckedCount). */
  unchecked: number;
  /** Checks handed over and not done yet. */
  waiting: number;
  /** Worker threads running the checks; 0 when they run on the proxy's own thread. */
  checkWorkers: number;
}

/** Whether requests wait for the checks (checkAll), and how many did, how long, since the start (GET /__mock/journal on the proxy gives it too). */
export interface ProxyBackpressure extends GateCounts {
  checkAll: boolean;
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
  /** Exchanges forwarded but not checked since the start: the checks fell behind (their queue was full), a body was too long to keep, or a check worker stopped holding it. */
  readUncheckedCount(): number;
  readCounts(): ProxyCounts;
  readBackpressure(): ProxyBackpressure;
  readJournal(): ProxyJournalEntry[];
  /** Exchanges still in flight have their checks done (for a summary on exit). */
  settle(): Promise<void>;
  /** Stops the check workers (after settle(), nothing is left to check). */
  close(): Promise<void>;
};

const JOURNAL_SIZE = 1000;
/** Results kept for the reports on exit (a long session keeps its last ones; the counts cover all). */
export const MAX_RESULTS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The validating proxy: each request goes to the real API as it came and its answer comes back as
 * it came (forward-exchange.ts); then, off the answer's path, the exchange is identified, checked
 * against its operation's contract and (with recordDir) made a recording (run-check-job.ts) on a
 * worker thread (create-check-workers.ts; or, with checkWorkers 0, a queue run between requests,
 * create-check-queue.ts), and its result journaled, summed up and recorded here in the order the
 * exchanges finished. An exchange the checks have no room for is forwarded, counted and journaled as
 * unchecked — or, with checkAll, a request waits before it is forwarded until the checks have room
 * (create-check-gate.ts; too many waiting: answered 503, not forwarded). Requests the catalog does
 * not know pass through unchecked (journaled as `unknown`). The proxy holds no secret: the client's
 * own signature reaches the API.
 */
export function createProxy(options: ProxyOptions): ProxyApp {
  const catalog = options.catalog ?? getCatalog();
  const now = options.now ?? Date.now;
  const warn = options.warn ?? options.log;
  const pandapon = createUpstream(options.target);
  const top = createUpstream(options.topTarget ?? `${options.target.replace(/\/+$/, "")}/router/rest`);
  const recorder: Recorder | undefined = options.recordDir === undefined ? undefined : createRecorder(options.recordDir, now);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const results: ProxyResult[] = [];
  let summary: RunSummary = toSummary([]);
  let unknownCount = 0;
  const journal: ProxyJournalEntry[] = [];
  const inFlight = new Set<Promise<void>>();
  /** The exchanges whose checks were handed over, by sequence: what their journal lines need besides the reply. */
  const handedOver = new Map<number, Exchange>();
  let uncheckedCount = 0;
  let sequence = 0;
  const checkAll = options.checkAll === true;

  const note = (entry: ProxyJournalEntry) => {
    journal.push(entry);
    if (journal.length > JOURNAL_SIZE) journal.shift();
    options.log?.(`${entry.at} ${entry.api} ${entry.operation} → ${entry.status ?? "-"} ${entry.outcome.toUpperCase()}${entry.reason ? ` ${entry.reason}` : ""}`);
  };

  /** An exchange forwarded but not checked: counted, and journaled with why. */
  const leaveUnchecked = ({ sent, status, seen }: Exchange, reason: string) => {
    uncheckedCount += 1;
    const secrets = toRequestSecrets(sent.headers, sent.query);
    const operation = toSecretMask(secrets)(`${sent.method} ${sent.path}`);
    note({ at: seen.at, sequence: seen.sequence, api: sent.isTop ? "top" : "pandapon", operation, status, outcome: "unchecked", reason, violations: [] });
    if (checkAll) warn?.(`proxy: --check-all, yet exchange #${seen.sequence} (${operation}) was NOT checked: ${reason}`);
  };

  /** A check's reply, in the order the checks were handed over: journaled, summed up, recorded. */
  const finish = (reply: CheckReply) => {
    const exchange = handedOver.get(reply.sequence)!;
    handedOver.delete(reply.sequence);
    const { sent, seen } = exchange;
    if (reply.kind === "unchecked") return leaveUnchecked(exchange, reply.reason);
    if (reply.kind === "unknown") {
      unknownCount += 1;
      note({ at: seen.at, sequence: seen.sequence, api: sent.isTop ? "top" : "pandapon", operation: reply.operation, status: exchange.status, outcome: "unknown", reason: "not an operation of the catalog: passed through unchecked", violations: [] });
      return;
    }
    const { result, violations } = reply;
    const proxied: ProxyResult = { ...result, sequence: seen.sequence, at: seen.at };
    if (recorder && reply.recorded) {
      try {
        proxied.recording = recorder.record(reply.recorded, catalog.find(reply.recorded.operation)!);
      } catch (error) {
        warn?.(`proxy: could not record exchange #${seen.sequence} (${result.operation}): ${(error as Error).message}`);
      }
    }
    results.push(proxied);
    // Trimmed a thousand at a time, not one by one (each trim moves the whole list).
    if (results.length > MAX_RESULTS + 1000) results.splice(0, results.length - MAX_RESULTS);
    summary = addToSummary(summary, proxied);
    note({ at: seen.at, sequence: seen.sequence, api: result.api, operation: result.operation, status: result.status, outcome: result.outcome, reason: result.reason, violations });
    options.onResult?.(proxied);
  };
  /** Each reply frees room in the checks: with checkAll, the requests waiting for it go. */
  const onReply = (reply: CheckReply) => {
    finish(reply);
    gate?.release();
  };

  const limits = { maxPending: options.checkQueue?.maxPending ?? MAX_PENDING_CHECKS, maxPendingBytes: options.checkQueue?.maxPendingBytes ?? MAX_PENDING_BYTES };
  // With checkAll the bound is kept before forwarding (the gate below), so the runners take every check handed over.
  const runnerLimits = checkAll ? { maxPending: Infinity, maxPendingBytes: Infinity } : limits;
  const inThread = createThreadChecks(catalog, runnerLimits, onReply);
  const wanted = options.catalog ? 0 : Math.min(options.checkWorkers ?? 1, MAX_CHECK_WORKERS);
  const workerFile = wanted > 0 ? (options.checkWorkerFile ?? findCheckWorker()) : undefined;
  if (wanted > 0 && !workerFile) warn?.("proxy: no check worker module (check-worker.js) beside the proxy's: checks run on the proxy's thread");
  const workers: CheckRunner | undefined = workerFile
    ? createCheckWorkers({
        count: wanted,
        file: workerFile,
        ...runnerLimits,
        onReply,
        onStartFailure: (reason) => {
          warn?.(`proxy: a check worker could not start (${reason}): checks run on the proxy's thread`);
          checks = inThread;
        },
        log: warn,
      })
    : undefined;
  let checks: CheckRunner = workers ?? inThread;
  const runners = workers ? [workers, inThread] : [inThread];
  /**
   * checkAll: the exchanges forwarded and not handed over yet, each with a check to come. A request
   * goes when they and the checks waiting are fewer than maxPending and the checks' bodies under
   * maxPendingBytes; an exchange already forwarded is always taken (its bodies may take the bytes
   * past the bound by what it carries — the proxy holds them while forwarding anyway — and the next
   * request waits until they are back under).
   */
  let forwarding = 0;
  const gate: CheckGate | undefined = checkAll
    ? createCheckGate(
        // At least one at a time, whatever the bounds: with nothing forwarded or waiting, there is room.
        () => forwarding + runners.reduce((n, r) => n + r.size, 0) < Math.max(1, limits.maxPending) && runners.reduce((n, r) => n + r.bytes, 0) < Math.max(1, limits.maxPendingBytes),
        options.checkQueue?.maxWaiting,
      )
    : undefined;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? "/";
    if (url === "/__mock/journal" && req.method === "GET") {
      res.writeHead(200, { "content-type": JSON_TYPE }).end(JSON.stringify({ counts: readCounts(), backpressure: readBackpressure(), entries: journal }));
      return;
    }
    if (!gate) return forward(req, res, url);
    if (gate.enter(res, () => forward(req, res, url))) return;
    const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
    const isTop = isTopGatewayPath(url.split("?")[0]!);
    // Not read, not forwarded: the format of a TOP answer is the query's (a body is not read for it).
    answerUpstreamFailure(res, isTop ? "top" : "pandapon", toTopFormat(query), { kind: "busy", reason: `--check-all: ${gate.size} requests already wait for the checks` });
  };

  /** One exchange: forwarded, answered, and its check handed over (or it is left unchecked, with why). */
  const forward = (req: IncomingMessage, res: ServerResponse, url: string): void => {
    const mark = url.indexOf("?");
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? "" : url.slice(mark + 1);
    const isTop = isTopGatewayPath(path);
    const upstream = isTop ? top : pandapon;
    const started = performance.now();
    const at = new Date(now()).toISOString();
    const n = ++sequence;
    if (gate) forwarding += 1;
    const sent: SentRequest = { method: req.method ?? "GET", path, query, headers: req.headers, isTop };
    const done = forwardExchange(req, res, upstream, toUpstreamPath(upstream, isTop, path, mark < 0 ? "" : url.slice(mark)), timeoutMs).then((outcome) => {
      if (!outcome.ok && !res.headersSent && outcome.kind !== "broken") {
        const format = identifyRequest(catalog, toMockRequest(sent, outcome))?.format ?? toTopFormat(query);
        answerUpstreamFailure(res, isTop ? "top" : "pandapon", format, { kind: outcome.kind, reason: outcome.reason });
      }
      const seen = { at, sequence: n, durationMs: Math.round(performance.now() - started) };
      const exchange: Exchange = { sent, status: outcome.ok ? outcome.status : undefined, seen };
      // The answer is on its way: its check is handed over, off the path of the requests that follow.
      if (outcome.ok && outcome.tooLarge) return leaveUnchecked(exchange, `a body longer than ${MAX_CHECKED_BODY_BYTES / 2 ** 20} MiB (forwarded whole, no copy kept to check)`);
      handedOver.set(n, exchange);
      if (checks.add(toCheckJob(n, sent, outcome, seen.durationMs, recorder !== undefined))) return;
      handedOver.delete(n);
      leaveUnchecked(exchange, `the checks fell behind (${checks.size} exchanges waiting): forwarded, not checked`);
    });
    const tracked = done
      .catch((error: unknown) => warn?.(`proxy fault on ${req.method} ${path}: ${(error as Error).message}`))
      .finally(() => {
        inFlight.delete(tracked);
        if (!gate) return;
        // Handed over (or left unchecked): the checks hold it now, or nothing does.
        forwarding -= 1;
        gate.release();
      });
    inFlight.add(tracked);
  };

  const readCounts = (): ProxyCounts => ({
    checked: summary.total,
    notInCatalog: unknownCount,
    unchecked: uncheckedCount,
    waiting: runners.reduce((n, r) => n + r.size, 0),
    checkWorkers: checks === inThread ? 0 : wanted,
  });
  const readBackpressure = (): ProxyBackpressure => ({ checkAll, ...(gate?.read() ?? { waitingNow: 0, waited: 0, waitedMs: 0, maxWaitMs: 0, gaveUp: 0, refused: 0 }) });

  return Object.assign(handle, {
    readResults: () => results.slice(-MAX_RESULTS),
    readSummary: () => ({ ...summary }),
    readUnknownCount: () => unknownCount,
    readUncheckedCount: () => uncheckedCount,
    readCounts,
    readBackpressure,
    readJournal: () => [...journal],
    settle: async () => {
      // Settling checks lets requests waiting for room go (checkAll): until none is left.
      do {
        while (inFlight.size > 0) await Promise.all([...inFlight]);
        for (const runner of runners) await runner.settle();
        gate?.release();
      } while (inFlight.size > 0);
    },
    close: async () => {
      for (const runner of runners) await runner.close();
    },
  });
}

/** An exchange forwarded: the request, the answer's status (none when there was no answer), when and how long. */
interface Exchange {
  sent: SentRequest;
  status: number | undefined;
  seen: Seen;
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

/** The request as the catalog identifies it (for the format of a failure's answer): its body decoded (Content-Encoding), empty when it does not decode. */
function toMockRequest(sent: SentRequest, outcome: ForwardOutcome): MockRequest {
  return { method: sent.method, path: sent.path, query: sent.query, headers: sent.headers as Record<string, string | undefined>, rawBody: decodeBody(outcome.requestBody, sent.headers["content-encoding"]) ?? Buffer.alloc(0) };
}

/** The upstream's path for a request: the target's base path before the request's path (TOP: the gateway URL's own path), then `?` and the query exactly as sent. */
function toUpstreamPath(upstream: Upstream, isTop: boolean, path: string, search: string): string {
  const where = isTop ? upstream.url.pathname : `${upstream.url.pathname.replace(/\/+$/, "")}${path}`;
  return `${where}${search}`;
}

function toTopFormat(query: string): "json" | "xml" {
  return /(^|&)format=json(&|$)/.test(query) ? "json" : "xml";
}
