import { createPandaponRequest } from "./create-load-requests.js";
import { sendRequest } from "./send-request.js";
import type { TargetCommand } from "./spawn-target.js";
import { spawnTarget } from "./spawn-target.js";

export interface ColdStart {
  /** Spawn to the "listening on" line, ms. */
  listeningMs: number;
  /** Spawn to the first 200 answer to a signed, validated PandaPon request, ms. */
  firstAnswerMs: number;
}

/** Starts the CLI `runs` times and times each start to its first successful signed answer. */
export async function measureColdStart(command: TargetCommand, runs: number, beforeEach?: () => void): Promise<{ runs: ColdStart[]; medianFirstAnswerMs: number }> {
  const results: ColdStart[] = [];
  for (let i = 0; i < runs; i += 1) {
    beforeEach?.();
    const started = performance.now();
    const target = await spawnTarget(command);
    try {
      const answer = await sendRequest(target.url, createPandaponRequest());
      if (answer.status !== 200) throw new Error(`Failed to measure the cold start: the first signed request got ${answer.status}: ${answer.body.slice(0, 300)}`);
      results.push({ listeningMs: round(target.listeningAfterMs), firstAnswerMs: round(performance.now() - started) });
    } finally {
      await target.stop();
    }
  }
  return { runs: results, medianFirstAnswerMs: toMedian(results.map((r) => r.firstAnswerMs)) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function toMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length === 0 ? Number.NaN : round(sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}
