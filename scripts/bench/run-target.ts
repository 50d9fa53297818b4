import type { AutocannonRequest } from "autocannon";
import type { LoadResult } from "./run-load.js";
import { runLoad } from "./run-load.js";
import { readProcessCpuSeconds } from "./read-process-cpu.js";
import type { PlainRequest } from "./send-request.js";
import { sendRequest } from "./send-request.js";
import type { RunningTarget, TargetCommand } from "./spawn-target.js";
import { spawnTarget } from "./spawn-target.js";
import type { MemoryReport } from "./watch-memory.js";
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
}

/** A target spawned, checked and warmed up, ready to be measured any number of times. */
export interface LiveTarget {
  plan: TargetPlan;
  target: RunningTarget;
  /** One answer of the target, as a sample. */
  sampleAnswer: string;
}

/** Spawns the target, checks a few answers and warms it up (stopping it if any of that fails). */
export async function startTarget(plan: TargetPlan, settings: LoadSettings): Promise<LiveTarget> {
  const target = await spawnTarget(plan.command);
  try {
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
    return { plan, target, sampleAnswer };
  } catch (error) {
    await target.stop();
    throw error;
  }
}

/** One measured load on a live target: throughput, latency, memory, and the CPU of both sides. */
export async function measureTarget(live: LiveTarget, settings: LoadSettings): Promise<TargetResult> {
  const { plan, target } = live;
  const memory = watchMemory(target);
  const serverCpuBefore = readProcessCpuSeconds(target.pid);
  const ownCpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const load = await runLoad({ url: target.url, connections: settings.connections, durationSeconds: settings.durationSeconds, requests: toLoadRequests(plan), verifyBody: plan.verifyBody });
  const seconds = (performance.now() - startedAt) / 1000;
  const serverCpuAfter = readProcessCpuSeconds(target.pid);
  const ownCpu = process.cpuUsage(ownCpuBefore);
  return {
    name: plan.name,
    ...load,
    ...memory.finish(),
    serverCpuPercent: serverCpuBefore === undefined || serverCpuAfter === undefined ? null : Math.round(((serverCpuAfter - serverCpuBefore) / seconds) * 100),
    loadGeneratorCpuPercent: Math.round(((ownCpu.user + ownCpu.system) / 1e6 / seconds) * 100),
    sampleAnswer: live.sampleAnswer,
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
  return [{ setupRequest: (request) => ({ ...request, ...plan.createRequest() }) }];
}
