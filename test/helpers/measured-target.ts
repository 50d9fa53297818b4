import type { MeasuredTarget } from "../../scripts/bench/combine-rounds.js";

/** A bench target's figures for tests of the bench's arithmetic: `requestsPerSecond` over 5 s, the rest fixed unless given. */
export function measuredTarget(name: string, requestsPerSecond: number, extra: Partial<MeasuredTarget> = {}): MeasuredTarget {
  return {
    name,
    requestsPerSecond,
    latencyP50Ms: 2,
    latencyP99Ms: 8,
    latencyAverageMs: 2.5,
    total: requestsPerSecond * 5,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    mismatches: 0,
    peakRssMb: 100,
    rssAtStartMb: 90,
    rssAtEndMb: 95,
    rssEverySecondMb: [92],
    serverCpuPercent: 100,
    loadGeneratorCpuPercent: 60,
    ...extra,
  };
}
