import type { Command } from "commander";
import { DEFAULT_HOST } from "../../protocol/demo.js";
import { startServer } from "../../mock/start-server.js";
import { MAX_CHECK_WORKERS } from "../../proxy/create-check-workers.js";
import { createProxy } from "../../proxy/create-proxy.js";
import { toProxyRun, toProxySummary } from "../../proxy/to-proxy-run.js";
import { toConsoleDetails, toConsoleLine } from "../../verify/report-console.js";
import { reportJson } from "../../verify/report-json.js";
import { reportJunit } from "../../verify/report-junit.js";
import { maskUrl } from "../../checks/mask-secrets.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction, writeOutputFile } from "../command-io.js";
import { readIntegerOption } from "../read-integer-option.js";

export const DEFAULT_PROXY_PORT = 4011;

interface ProxyFlags {
  target: string;
  topTarget?: string;
  record?: string;
  port?: string;
  host?: string;
  timeout?: string;
  json?: string;
  junit?: string;
  quiet?: boolean;
  checkWorkers?: string;
  checkAll?: boolean;
}

export function registerProxy(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "proxy", io)
    .description("stand between your application and the real API: forward every request and answer unchanged, check both against the contracts, record")
    .requiredOption("--target <url>", "the PandaPon API's base URL, e.g. https://api.pandapon.com")
    .option("--top-target <url>", "the TOP gateway's URL, e.g. https://eco.taobao.com/router/rest (default: <target>/router/rest)")
    .option("--record <dir>", "write each checked exchange to <dir>, masked (for serve --replay and check-recordings)")
    .option("-p, --port <port>", `port (default ${DEFAULT_PROXY_PORT})`)
    .option("--host <host>", `address to listen on (default ${DEFAULT_HOST})`)
    .option("--timeout <ms>", "how long the upstream may stay silent before the proxy answers 504", "30000")
    .option("--json <file>", "on exit, write the results as JSON (like verify)")
    .option("--junit <file>", "on exit, write JUnit XML (one testcase per exchange)")
    .option("--quiet", "no line per exchange")
    .option("--check-workers <n>", "worker threads that check the exchanges (0: on the proxy's own thread, between requests)", "1")
    .option("--check-all", "check every exchange: when the checks fall behind, requests wait before they are forwarded (throughput falls to the checks' pace) instead of going unchecked")
    .addHelpText(
      "after",
      [
        "",
        "Point your application at http://127.0.0.1:4011 instead of the API: requests reach the API as sent (your",
        "client's own signature; the proxy holds no secret) and answers come back as sent. Each exchange is checked",
        "(request and answer, 19-digit ids exact); findings go to stdout, GET /__mock/journal on the proxy, and on",
        "exit (SIGINT, SIGTERM) to a summary and the --json/--junit reports. No answer from the upstream: 502",
        "(refused, unreachable) or 504 (timeout) in the protocol's error shape, marked x-pandapon-mock-proxy.",
        "Exit status: 0 no exchange broke its contract; 1 one did (with --check-all, also when one was left unchecked); 2 a usage error.",
      ].join("\n"),
    )
    .action((flags: ProxyFlags) => runAction(io, () => runProxy(flags, io)));
}

function readUrl(value: string, flag: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new InputError(`${flag} must be an http or https URL, not "${maskUrl(value)}".`);
  return value;
}

function readCheckWorkers(value: string | undefined): number {
  const n = readIntegerOption(value, "--check-workers", 1);
  if (n > MAX_CHECK_WORKERS) throw new InputError(`--check-workers must be at most ${MAX_CHECK_WORKERS}, not "${value}".`);
  return n;
}

function toChecksLine(workers: number, checkAll: boolean): string {
  const where = workers === 0 ? "checks on the proxy's thread" : `checks on ${workers} worker thread${workers === 1 ? "" : "s"}`;
  return checkAll ? `${where}, every exchange (--check-all: requests wait for the checks)` : where;
}

async function runProxy(flags: ProxyFlags, io: CommandIo): Promise<number> {
  const target = readUrl(flags.target, "--target");
  const topTarget = flags.topTarget === undefined ? undefined : readUrl(flags.topTarget, "--top-target");
  const port = readIntegerOption(flags.port, "--port", DEFAULT_PROXY_PORT);
  const startedAt = new Date(io.now()).toISOString();
  const started = performance.now();
  const app = createProxy({
    target,
    topTarget,
    recordDir: flags.record,
    timeoutMs: readIntegerOption(flags.timeout, "--timeout", 30_000),
    now: io.now,
    checkWorkers: readCheckWorkers(flags.checkWorkers),
    checkAll: flags.checkAll === true,
    warn: (line) => io.err(`${line}\n`),
    onResult: flags.quiet ? undefined : (result) => io.out([`#${result.sequence} ${toConsoleLine(result)}`, ...toConsoleDetails(result)].join("\n") + "\n"),
  });
  const running = await startServer(app, port, flags.host ?? DEFAULT_HOST).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`pandapon-mock proxy: ${error.code === "EADDRINUSE" ? "the port is in use: pass --port with a free one" : error.message}`, { cause: error });
  });
  io.out(
    [
      `pandapon-mock proxy listening on ${running.url}`,
      `  PandaPon → ${maskUrl(target)} · TOP gateway → ${maskUrl(topTarget ?? `${target.replace(/\/+$/, "")}/router/rest`)}`,
      `  ${flags.record ? `recording to ${flags.record} (masked)` : "not recording (--record <dir>)"} · ${toChecksLine(app.readCounts().checkWorkers, flags.checkAll === true)} · journal: ${running.url}/__mock/journal`,
    ].join("\n") + "\n",
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.out(`${signal}: finishing exchanges in flight and closing ${running.url}\n`);
      void running.close().then(async () => {
        await app.settle();
        await app.close();
        const uncheckedExchanges = { notInCatalog: app.readUnknownCount(), unchecked: app.readUncheckedCount() };
        const backpressure = app.readBackpressure();
        // With --check-all, an exchange left unchecked fails the run: it asked for every one checked.
        const run = toProxyRun(app.readResults(), startedAt, Math.round(performance.now() - started), app.readSummary(), backpressure.checkAll ? uncheckedExchanges.unchecked : 0);
        io.out(`\n${toProxySummary(run, uncheckedExchanges.notInCatalog, uncheckedExchanges.unchecked, backpressure)}\n`);
        if (flags.json) writeOutputFile(io, flags.json, reportJson(run, { baseUrl: target, topGateway: topTarget, tool: "pandapon-mock proxy", uncheckedExchanges, backpressure }));
        const notChecked = backpressure.checkAll && uncheckedExchanges.unchecked > 0 ? { name: "every exchange checked (--check-all)", message: `${uncheckedExchanges.unchecked} exchange(s) forwarded but NOT checked despite --check-all (a body too long to keep, or a check worker stopped; see the journal)` } : undefined;
        if (flags.junit) writeOutputFile(io, flags.junit, reportJunit(run, "pandapon-mock proxy", notChecked));
        resolve(run.ok ? 0 : 1);
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
