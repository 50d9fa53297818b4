import type { AutocannonRequest } from "autocannon";
import autocannon from "autocannon";

export interface LoadRun {
  url: string;
  connections: number;
  durationSeconds: number;
  requests: AutocannonRequest[];
  /** A cheap check of each answer body; answers failing it count as mismatches. */
  verifyBody: (body: string) => boolean;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyAverageMs: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
}

/** One autocannon run on loopback; the load generator runs in this process. */
export async function runLoad(settings: LoadRun): Promise<LoadResult> {
  const result = await autocannon({
    url: settings.url,
    connections: settings.connections,
    duration: settings.durationSeconds,
    timeout: 10,
    requests: settings.requests,
    verifyBody: settings.verifyBody,
  });
  return {
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyAverageMs: result.latency.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
  };
}
