import type { BenchResults } from "./bench-results.js";

const pad = (value: unknown, width: number) => String(value ?? "—").padStart(width);

/** Server CPU per answer, µs: what a request costs the server, whatever limited the throughput. */
export function toCpuPerRequest(cpuPercent: number | null, requestsPerSecond: number): number | null {
  return cpuPercent === null || requestsPerSecond === 0 ? null : Math.round((cpuPercent / 100) * (1e6 / requestsPerSecond));
}

const toMiB = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString("en");

/** The human summary: one row per target, then the ratios against the targets in the README (Performance). */
export function printResults(results: BenchResults): void {
  const { machine, settings } = results;
  console.log(`\n${machine.cpu} · ${machine.cores} cores · ${machine.memoryGb} GB · ${machine.os} · Node ${machine.node} · load average at start ${machine.loadAverageAtStart}`);
  console.log(`${settings.connections} connections; each target started once and warmed up ${settings.warmupSeconds} s, then ${settings.rounds} round(s) measuring every target for ${settings.durationSeconds} s (req/s: the rounds' median); load generator (autocannon + per-request signing) in the bench process, on the same cores; refund ids: ${settings.distinctIds ?? "every request its own"}\n`);
  console.log(`${"target".padEnd(40)}${pad("req/s", 9)}${pad("p50 ms", 8)}${pad("p99 ms", 8)}${pad("peak RSS MB", 13)}${pad("RSS start→end", 15)}${pad("server CPU", 12)}${pad("CPU µs/req", 12)}${pad("loadgen CPU", 13)}${pad("non-2xx/err/bad", 17)}`);
  for (const t of Object.values(results.targets)) {
    if ("skipped" in t) {
      console.log(`${t.name.padEnd(40)}  skipped: ${t.skipped}`);
      continue;
    }
    console.log(
      `${t.name.padEnd(40)}${pad(t.requestsPerSecond, 9)}${pad(t.latencyP50Ms, 8)}${pad(t.latencyP99Ms, 8)}${pad(t.peakRssMb, 13)}${pad(`${t.rssAtStartMb}→${t.rssAtEndMb}`, 15)}${pad(t.serverCpuPercent === null ? null : `${t.serverCpuPercent}%`, 12)}${pad(toCpuPerRequest(t.serverCpuPercent, t.requestsPerSecond), 12)}${pad(`${t.loadGeneratorCpuPercent}%`, 13)}${pad(`${t.non2xx}/${t.errors}/${t.mismatches}`, 17)}`,
    );
  }
  for (const t of Object.values(results.targets)) {
    if ("skipped" in t || !t.deferred) continue;
    const { checked, unchecked, settleMs } = t.deferred;
    console.log(`  ${t.name}: ${checked} exchanges checked, ${unchecked} left unchecked (queue full); the checks still queued after a slice took ≤ ${settleMs} ms more (their CPU counted in the slice's)`);
  }
  const bound = Object.values(results.targets).filter((t) => !("skipped" in t) && t.loadGeneratorCpuPercent >= 90);
  if (bound.length > 0) {
    console.log(`\nLoad-generator bound (its CPU ≥ 90% of a core, so the server had room to spare): ${bound.map((t) => t.name).join("; ")}.`);
  }
  console.log("");
  for (const ratio of results.ratios) {
    const value = ratio.value === null ? "n/a" : ratio.value.toFixed(2);
    const verdict = ratio.value === null ? "not measured" : ratio.caveat !== undefined ? "not proven" : ratio.value >= ratio.target ? "met" : "MISSED";
    const rounds = ratio.byRound && ratio.byRound.length > 1 ? `   (median of rounds: ${ratio.byRound.map((r) => r.toFixed(2)).join(", ")})` : "";
    console.log(`${ratio.name.padEnd(40)}${pad(value, 9)}   target ≥ ${ratio.target} → ${verdict}${rounds}`);
    if (ratio.caveat !== undefined && ratio.value !== null) console.log(`${"".padEnd(40)}  (${ratio.caveat})`);
  }
  const { flowsPerSecond, fill, pushes } = results.stateful ?? {};
  if (flowsPerSecond !== undefined) {
    const flows = results.targets.stateFlows;
    const caveat = flows && "caveat" in flows && flows.caveat !== undefined ? `   (${flows.caveat})` : "";
    console.log(`${"stateful: create+read flows".padEnd(40)}${pad(flowsPerSecond, 9)} flows/s (one create, then one read of the refund it made)${caveat}`);
  }
  if (pushes) {
    const signed = pushes.badSignature + pushes.unsigned > 0 ? `; ${pushes.badSignature} with a wrong signature and ${pushes.unsigned} without one!` : "; all correctly signed";
    const retried = pushes.retried > 0 ? `; ${pushes.retried} first attempt(s) not acknowledged within 1000 ms, due for a retry 30 min later on the virtual clock` : "; every first attempt acknowledged";
    console.log(`${"stateful: pushes delivered".padEnd(40)}${pad(pushes.deliveriesPerSecond, 9)} deliveries/s to a local receiver during ${pushes.flowsPerSecond} flows/s (${pushes.deliveriesPerCreate ?? "—"} per create; receiver CPU ${pushes.receiverCpuPercent ?? "—"}%; backlog attempted ≤ ${pushes.settleSeconds} s after a slice${retried}${signed})`);
  }
  if (fill) {
    const end = fill.fileBytesAtEnd === undefined ? "" : `, ${toMiB(fill.fileBytesAtEnd)} MiB after the run`;
    console.log(`${"stateful: filled state".padEnd(40)}${pad(fill.entities.toLocaleString("en"), 9)} refunds through the store in ${fill.seconds} s (${fill.perSecond.toLocaleString("en")}/s); state file ${toMiB(fill.fileBytes)} MiB${end}; stored texts ${toMiB(fill.storedBytes)} MiB`);
  }
  if (results.proxy) {
    const { checked, bare } = results.proxy.latency;
    const ms = (us: number) => (us / 1000).toFixed(2);
    console.log(`${"proxy: added p50, unsaturated".padEnd(40)}${pad(ms(checked.addedP50Us), 9)} ms over the ceiling directly (${ms(checked.directP50Us)} → ${ms(checked.proxiedP50Us)} ms; ${checked.pairs} alternating pairs; rounds ${checked.addedByRoundUs.map(ms).join(", ")}; back to back ${ms(checked.backToBackAddedP50Us)} ms)   target < 1 ms → ${checked.addedP50Us < 1000 ? "met" : "MISSED"}`);
    console.log(`${"bare Node proxy: added p50 (reference)".padEnd(40)}${pad(ms(bare.addedP50Us), 9)} ms (back to back ${ms(bare.backToBackAddedP50Us)} ms)`);
    const { proxy, checkAll, bare: bareStress } = results.proxy.stress;
    const cpu = (key: string) => {
      const t = results.targets[key];
      return t && !("skipped" in t) ? toCpuPerRequest(t.serverCpuPercent, t.requestsPerSecond) : null;
    };
    console.log(`${"proxy stress: in front of the ceiling".padEnd(40)}${pad(proxy.value?.toFixed(2) ?? "n/a", 9)} × the ceiling directly (bare Node proxy ${bareStress.value?.toFixed(2) ?? "n/a"} ×); CPU per exchange ${cpu("proxy") ?? "—"} µs (bare ${cpu("proxyBare") ?? "—"} µs); no target: the machine's limit, not a user's`);
    const all = results.targets.proxyCheckAll;
    if (checkAll && all && !("skipped" in all)) {
      const left = all.deferred ? `${all.deferred.checked} exchanges checked, ${all.deferred.unchecked} left unchecked` : "its checks not counted";
      console.log(`${"proxy stress, --check-all".padEnd(40)}${pad(checkAll.value?.toFixed(2) ?? "n/a", 9)} × the ceiling directly (forwarding at the checks' pace); CPU per exchange ${cpu("proxyCheckAll") ?? "—"} µs; ${left}`);
    }
  }
  for (const [label, cold] of [["cold start, --stateless", results.coldStart], ["cold start, state file", results.coldStartStateful]] as const) {
    if (!cold) continue;
    console.log(`${label.padEnd(40)}${pad(cold.medianFirstAnswerMs, 9)} ms to the first signed answer (median of ${cold.runs.length}: ${cold.runs.map((r) => r.firstAnswerMs).join(", ")}; listening after ${cold.runs.map((r) => r.listeningMs).join(", ")} ms)   target < 500 ms → ${cold.medianFirstAnswerMs < 500 ? "met" : "MISSED"}`);
  }
}
