import type { ColdStart } from "./measure-cold-start.js";
import type { MachineDescription } from "./describe-machine.js";
import type { ProfileSummary } from "./summarize-profile.js";
import type { LoadSettings, TargetResult } from "./run-target.js";
import type { PushSlice } from "./watch-pushes.js";
import type { AddedLatency } from "./measure-added-latency.js";

export type TargetOutcome = Omit<TargetResult, "sampleAnswer"> | { name: string; skipped: string };

export interface Ratio {
  name: string;
  value: number | null;
  target: number;
  /** The ratio in each round, when it was measured in rounds (value is their median). */
  byRound?: number[];
  /** Why the figure is not the one the row means (e.g. the mock answered generated data, not stored entities). */
  caveat?: string;
}

/** The stateful rows' own figures. */
export interface StatefulFigures {
  /** Create+read flows per second (half the flow target's req/s). */
  flowsPerSecond?: number;
  /** The state filled through the store before the filled target started. */
  /** The flows with pushes flowing (statePushes): their flows per second and the deliveries (medians of the rounds). */
  pushes?: PushSlice & { flowsPerSecond: number };
  fill?: { entities: number; seconds: number; perSecond: number; storedBytes: number; fileBytes: number; fileBytesAtEnd?: number };
}

/** What `npm run bench` writes to .bench/results.json. */
export interface BenchResults {
  date: string;
  machine: MachineDescription;
  settings: LoadSettings;
  targets: Record<string, TargetOutcome>;
  ratios: Ratio[];
  /** `serve --stateless`. */
  coldStart?: { runs: ColdStart[]; medianFirstAnswerMs: number };
  /** The default `serve`, with a new state file. */
  coldStartStateful?: { runs: ColdStart[]; medianFirstAnswerMs: number };
  stateful?: StatefulFigures;
  /**
   * The proxy's rows: the latency it adds unsaturated (target p50 < 1 ms), the bare Node proxy's beside
   * it; and in front of the ceiling (stress: the machine's limit), its throughput, with --check-all
   * (every exchange checked, forwarding slowed to the checks' pace) and the bare proxy's.
   */
  proxy?: { latency: { checked: AddedLatency; bare: AddedLatency }; stress: { proxy: Ratio; checkAll?: Ratio; bare: Ratio } };
  profiles?: Record<string, ProfileSummary & { file: string }>;
}
