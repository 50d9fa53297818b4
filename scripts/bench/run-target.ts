import type { AutocannonRequest } from "autocannon";
import type { LoadResult } from "./run-load.js";
import { runLoad } from "./run-load.js";
import { readProcessCpuSeconds } from "./read-process-cpu.js";
import type { PlainRequest } from "./send-request.js";
import { sendRequest } from "./send-request.js";
import type { TargetCommand } from "./spawn-target.js";
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

/** Spawns the target, checks a few answers, warms up, measures under load, then stops it. */
export async function runTarget(plan: TargetPlan, settings: LoadSettings): Promise<TargetResult> {
  const target = await spawnTarget(plan.command);
  try {
    let sampleAnswer = "";
    for (let i = 0; i < 5; i += 1) {
      const request = plan.createRequest();
      const answer = await sendRequest(target.url, request);
      plan.checkAnswer(answer.status, answer.body, request);
      sampleAnswer = answer.body;
    }
    const requests: AutocannonRequest[] = [{ setupRequest: (request) => ({ ...request, ...plan.createRequest() }) }];
    if (settings.warmupSeconds > 0) {
      await runLoad({ url: target.url, connections: settings.connections, durationSeconds: settings.warmupSeconds, requests, verifyBody: plan.verifyBody });
    }
    const memory = watchMemory(target);
    const serverCpuBefore = readProcessCpuSeconds(target.pid);
    const ownCpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    const load = await runLoad({ url: target.url, connections: settings.connections, durationSeconds: settings.durationSeconds, requests, verifyBody: plan.verifyBody });
    const seconds = (performance.now() - startedAt) / 1000;
    const serverCpuAfter = readProcessCpuSeconds(target.pid);
    const ownCpu = process.cpuUsage(ownCpuBefore);
    return {
      name: plan.name,
      ...load,
      ...memory.finish(),
      serverCpuPercent: serverCpuBefore === undefined || serverCpuAfter === undefined ? null : Math.round(((serverCpuAfter - serverCpuBefore) / seconds) * 100),
      loadGeneratorCpuPercent: Math.round(((ownCpu.user + ownCpu.system) / 1e6 / seconds) * 100),
      sampleAnswer,
    };
  } finally {
    await target.stop();
  }
}
