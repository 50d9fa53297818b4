import type { Ratio, TargetOutcome } from "./bench-results.js";
import type { TargetResult } from "./run-target.js";
import type { PushSlice } from "./watch-pushes.js";

export type MeasuredTarget = Omit<TargetResult, "sampleAnswer">;

/** Rounds measured back to back: the machine's speed drifts over a run, so each ratio is taken within a round. */
export type Round = Record<string, MeasuredTarget>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * One target over several rounds: medians of throughput, latency and CPU; the highest peak RSS;
 * RSS from the first round's start to the last round's end; errors summed; each round's req/s kept.
 */
export function combineRounds(results: MeasuredTarget[]): MeasuredTarget & { requestsPerSecondByRound: number[] } {
  const pick = (f: (r: MeasuredTarget) => number) => median(results.map(f));
  const sum = (f: (r: MeasuredTarget) => number) => results.reduce((acc, r) => acc + f(r), 0);
  const peaks = results.map((r) => r.peakRssMb).filter((p): p is number => p !== null);
  const cpus = results.map((r) => r.serverCpuPercent).filter((c): c is number => c !== null);
  return {
    name: results[0]!.name,
    requestsPerSecond: Math.round(pick((r) => r.requestsPerSecond)),
    requestsPerSecondByRound: results.map((r) => r.requestsPerSecond),
    latencyP50Ms: pick((r) => r.latencyP50Ms),
    latencyP99Ms: pick((r) => r.latencyP99Ms),
    latencyAverageMs: round2(pick((r) => r.latencyAverageMs)),
    total: sum((r) => r.total),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    mismatches: sum((r) => r.mismatches),
    peakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
    rssAtStartMb: results[0]!.rssAtStartMb,
    rssAtEndMb: results.at(-1)!.rssAtEndMb,
    rssEverySecondMb: results.flatMap((r) => r.rssEverySecondMb),
    serverCpuPercent: cpus.length > 0 ? Math.round(median(cpus)) : null,
    loadGeneratorCpuPercent: Math.round(pick((r) => r.loadGeneratorCpuPercent)),
    ...(results[0]!.caveat === undefined ? {} : { caveat: results[0]!.caveat }),
    ...(results.every((r) => r.pushes) ? { pushes: combinePushSlices(results.map((r) => r.pushes!)) } : {}),
    ...(results.every((r) => r.deferred)
      ? { deferred: { settleMs: Math.max(...results.map((r) => r.deferred!.settleMs)), checked: sum((r) => r.deferred!.checked), unchecked: sum((r) => r.deferred!.unchecked) } }
      : {}),
  };
}

/** `a / b` by req/s within each round where both were measured; the median of those is the ratio (with a side's caveat, if any). */
export function toRoundRatio(name: string, rounds: Round[], a: string, b: string, target: number): Ratio {
  const measured = rounds.filter((r) => r[a] && r[b] && r[b]!.requestsPerSecond > 0);
  const byRound = measured.map((r) => round2(r[a]!.requestsPerSecond / r[b]!.requestsPerSecond));
  const caveat = measured.map((r) => r[a]!.caveat ?? r[b]!.caveat).find((c) => c !== undefined);
  return { name, value: byRound.length > 0 ? round2(median(byRound)) : null, target, byRound, ...(caveat === undefined ? {} : { caveat }) };
}

/** `a / b` for a target measured once (Prism, slow and steady) against the median of the rounds. */
export function toRatio(name: string, a: TargetOutcome | undefined, b: TargetOutcome | undefined, target: number): Ratio {
  if (!a || !b || "skipped" in a || "skipped" in b || b.requestsPerSecond === 0) return { name, value: null, target };
  return { name, value: round2(a.requestsPerSecond / b.requestsPerSecond), target };
}

/** The rounds' slices as one: medians of the rates, sums of the counts, the longest settle. */
export function combinePushSlices(slices: PushSlice[]): PushSlice {
  const rates = slices.map((s) => s.deliveriesPerCreate).filter((r): r is number => r !== null);
  const cpus = slices.map((s) => s.receiverCpuPercent).filter((c): c is number => c !== null);
  return {
    deliveries: slices.reduce((acc, s) => acc + s.deliveries, 0),
    deliveriesPerSecond: Math.round(median(slices.map((s) => s.deliveriesPerSecond))),
    deliveriesPerCreate: rates.length > 0 ? round2(median(rates)) : null,
    badSignature: slices.reduce((acc, s) => acc + s.badSignature, 0),
    unsigned: slices.reduce((acc, s) => acc + s.unsigned, 0),
    receiverCpuPercent: cpus.length > 0 ? Math.round(median(cpus)) : null,
    retried: slices.reduce((acc, s) => acc + s.retried, 0),
    settleSeconds: Math.max(...slices.map((s) => s.settleSeconds)),
  };
}
