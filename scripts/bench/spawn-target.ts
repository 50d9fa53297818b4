import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import type { ProcessMemory } from "./read-process-memory.js";
import { readProcessMemory } from "./read-process-memory.js";

export interface TargetCommand {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long the child may take to print its URL. */
  startTimeoutMs?: number;
}

export interface RunningTarget {
  pid: number;
  url: string;
  /** Milliseconds from spawn to the URL line on the child's output. */
  listeningAfterMs: number;
  /** RSS of the child now (bytes), sampled from /proc. */
  readMemory(): ProcessMemory | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the child's exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Every target (ceiling, mock, Prism) prints "… listening on http://127.0.0.1:<port>" once it listens. */
const URL_LINE = /listening on (https?:\/\/127\.0\.0\.1:\d+)/;

/** Spawns a server process and resolves when it prints that it listens (stdout or stderr). */
export function spawnTarget(target: TargetCommand): Promise<RunningTarget> {
  const started = performance.now();
  const child = spawn(target.command, target.args, { cwd: target.cwd, env: target.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`no URL printed within ${target.startTimeoutMs ?? 30_000} ms`), target.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      if (output.length < 64_000) output += chunk.toString("utf8");
      const match = URL_LINE.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.stderr!.off("data", onData);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout!.resume();
      child.stderr!.resume();
      resolve(toRunningTarget(child, match[1]!, performance.now() - started));
    };
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`Failed to start "${[target.command, ...target.args].join(" ")}": ${reason}.\n${output.slice(-2000)}`));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (error) => fail(error.message));
    child.once("exit", (code, signal) => fail(`it exited (${signal ?? code}) before listening`));
  });
}

function toRunningTarget(child: ChildProcess, url: string, listeningAfterMs: number): RunningTarget {
  child.removeAllListeners("exit");
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return {
    pid: child.pid!,
    url,
    listeningAfterMs,
    readMemory: () => readProcessMemory(child.pid!),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
