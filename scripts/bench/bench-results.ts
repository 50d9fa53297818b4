import type { ColdStart } from "./measure-cold-start.js";
import type { MachineDescription } from "./describe-machine.js";
import type { ProfileSummary } from "./summarize-profile.js";
import type { LoadSettings, TargetResult } from "./run-target.js";

export type TargetOutcome = Omit<TargetResult, "sampleAnswer"> | { name: string; skipped: string };

export interface Ratio {
  name: string;
  value: number | null;
  target: number;
}

/** What `npm run bench` writes to .bench/results.json. */
export interface BenchResults {
  date: string;
  machine: MachineDescription;
  settings: LoadSettings;
  targets: Record<string, TargetOutcome>;
  ratios: Ratio[];
  coldStart?: { runs: ColdStart[]; medianFirstAnswerMs: number };
  profiles?: Record<string, ProfileSummary & { file: string }>;
}

/** `a / b` by requests per second, or null when either was not measured. */
export function toRatio(name: string, a: TargetOutcome | undefined, b: TargetOutcome | undefined, target: number): Ratio {
  if (!a || !b || "skipped" in a || "skipped" in b || b.requestsPerSecond === 0) return { name, value: null, target };
  return { name, value: Math.round((a.requestsPerSecond / b.requestsPerSecond) * 100) / 100, target };
}
