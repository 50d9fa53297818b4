import type { AutocannonRequest } from "autocannon";
import type { LoadResult } from "./run-load.js";
import { runLoad } from "./run-load.js";
import { readProcessCpuSeconds } from "./read-process-cpu.js";
import type { PlainRequest } from "./send-request.js";
import { sendRequest } from "./send-request.js";
import type { RunningTarget, TargetCommand } from "./spawn-target.js";
import { spawnTarget } from "./spawn-target.js";
import type { MemoryReport } from "./watch-memory.js";
import type { PushSlice } from "./watch-pushes.js";
import { watchMemory } from "./watch-memory.js";

export interface TargetPlan {
  name: string;
  command: TargetCommand;
  /** Builds one request (freshly signed for the mock); also what the load generator sends. */
  createRequest: () => PlainRequest;
  /** Checks an answer before the load: throws (with the answer) when the target answers wrongly. */
  checkAnswer: (status: number, body: string, request: PlainRequest) => void;
  /** A cheap check of every answer under load (counted as mismatches when false). */
  verifyBody: (body: string) => boolean;
  /** What the load cycles through (default: one request built by createRequest each time), e.g. a create then a read of what it made. */
  loadRequests?: () => AutocannonRequest[];
  /**
   * Runs once the target listens, before the checks (e.g. makes the entities the load reads back):
   * throws when the target cannot be measured; returns a caveat when it answers, but not as the row
   * means (the figure is then kept, marked with it).
   */
  prepare?: (url: string) => Promise<string | undefined>;
  /**
   * Watches the pushes of each measured slice (see watch-pushes.ts): called before the load; what it
   * gives is called right after it, with the slice's seconds and the creates answered in it.
   */
  watchPushes?: (url: string) => Promise<(seconds: number, creates: number) => Promise<PushSlice>>;
  /** Of a load's answers, how many were creates (default: none). */
  countCreates?: (load: LoadResult) => number;
  /**
   * Waits for work the target deferred (a proxy's checks) and says what became of it so far (counts
   * since the target started): run before a slice's load, and after it, before the server's CPU is
   * read (so the deferred work's CPU counts in the slice's).
   */
  settle?: (url: string) => Promise<DeferredWork>;
}

/** What a target did after the load for its requests (a proxy's checks): of a slice, or since it started (TargetPlan.settle). */
export interface DeferredWork {
  /** Milliseconds the target took to finish it. */
  settleMs: number;
  /** Exchanges of the slice checked, and left unchecked (the proxy's queue had no room). */
  checked: number;
  unchecked: number;
}

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Rounds of the ceiling and mock targets (each ratio is the median of the rounds'). */
  rounds: number;
  /** Distinct refund ids the load cycles through (reports only; set with setDistinctIds). */
  distinctIds?: number | string;
}

export interface TargetResult extends LoadResult, MemoryReport {
  name: string;
  /** CPU the server used during the measured load, % of one core. */
  serverCpuPercent: number | null;
  /** CPU this process (the load generator, signing included) used during the load, % of one core. */
  loadGeneratorCpuPercent: number;
  /** One answer of the target, as a sample. */
  sampleAnswer: string;
  /** Why the answers are not what the row means to measure (see TargetPlan.prepare), if they are not. */
  caveat?: string;
  /** The pushes delivered during the slice (rows with TargetPlan.watchPushes). */
  pushes?: PushSlice;
  /** The work the target finished after the load (rows with TargetPlan.settle); its CPU is in serverCpuPercent. */
  deferred?: DeferredWork;
}

/** A target spawned, checked and warmed up, ready to be measured any number of times. */
export interface LiveTarget {
  plan: TargetPlan;
  target: RunningTarget;
  /** One answer of the target, as a sample. */
  sampleAnswer: string;
  /** Why the answers are not what the row means to measure, if they are not. */
  caveat?: string;
}

/** Spawns the target, checks a few answers and warms it up (stopping it if any of that fails). */
export async function startTarget(plan: TargetPlan, settings: LoadSettings): Promise<LiveTarget> {
  const target = await spawnTarget(plan.command);
  try {
    return await readyTarget(plan, target, settings);
  } catch (error) {
    await target.stop();
    throw error;
  }
}

/** Prepares, checks and warms up a running target for a plan (several plans may share one target: it is stopped by its starter). */
export async function readyTarget(plan: TargetPlan, target: RunningTarget, settings: LoadSettings): Promise<LiveTarget> {
  const caveat = await plan.prepare?.(target.url);
  let sampleAnswer = "";
  for (let i = 0; i < 5; i += 1) {
    const request = plan.createRequest();
    const answer = await sendRequest(target.url, request);
    plan.checkAnswer(answer.status, answer.body, request);
    sampleAnswer = answer.body;
  }
  if (settings.warmupSeconds > 0) {
    await runLoad({ url: target.url, connections: settings.connections, durationSeconds: settings.warmupSeconds, requests: toLoadRequests(plan), verifyBody: plan.verifyBody });
  }
  return { plan, target, sampleAnswer, ...(caveat === undefined ? {} : { caveat }) };
}

/** One measured load on a live target: throughput, latency, memory, and the CPU of both sides. */
export async function measureTarget(live: LiveTarget, settings: LoadSettings): Promise<TargetResult> {
  const { plan, target } = live;
  const finishPushes = await plan.watchPushes?.(target.url);
  const settledBefore = await plan.settle?.(target.url);
  const memory = watchMemory(target);
  const serverCpuBefore = readProcessCpuSeconds(target.pid);
  const ownCpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const load = await runLoad({ url: target.url, connections: settings.connections, durationSeconds: settings.durationSeconds, requests: toLoadRequests(plan), verifyBody: plan.verifyBody });
  const seconds = (performance.now() - startedAt) / 1000;
  const settled = await plan.settle?.(target.url);
  const deferred = settled && settledBefore && { settleMs: settled.settleMs, checked: settled.checked - settledBefore.checked, unchecked: settled.unchecked - settledBefore.unchecked };
  const serverCpuAfter = readProcessCpuSeconds(target.pid);
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const memoryReport = memory.finish();
  // After the slice's figures are taken: waiting for its backlog is not part of the slice.
  const pushes = await finishPushes?.(seconds, plan.countCreates?.(load) ?? 0);
  return {
    name: plan.name,
    ...load,
    ...memoryReport,
    serverCpuPercent: serverCpuBefore === undefined || serverCpuAfter === undefined ? null : Math.round(((serverCpuAfter - serverCpuBefore) / seconds) * 100),
    loadGeneratorCpuPercent: Math.round(((ownCpu.user + ownCpu.system) / 1e6 / seconds) * 100),
    sampleAnswer: live.sampleAnswer,
    ...(live.caveat === undefined ? {} : { caveat: live.caveat }),
    ...(pushes === undefined ? {} : { pushes }),
    ...(deferred === undefined ? {} : { deferred }),
  };
}

/** Spawns the target, checks a few answers, warms up, measures under load once, then stops it. */
export async function runTarget(plan: TargetPlan, settings: LoadSettings): Promise<TargetResult> {
  const live = await startTarget(plan, settings);
  try {
    return await measureTarget(live, settings);
  } finally {
    await live.target.stop();
  }
}

function toLoadRequests(plan: TargetPlan): AutocannonRequest[] {
  if (plan.loadRequests) return plan.loadRequests();
  return [{ setupRequest: (request) => ({ ...request, ...plan.createRequest() }) }];
}
