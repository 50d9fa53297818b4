import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CommandIo } from "../../cli/command-io.js";

export interface TestIoOptions {
  env?: Record<string, string>;
  now?: number;
  nonce?: string;
  fetch?: typeof fetch;
}

/** What `io.exit` throws in tests, so that the run stops where the process would have ended. */
export class ExitCalled extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/**
 * A command's outside world for tests: injected environment, clock, nonce and transport; output and
 * exit code recorded; files set in `files` shadow the disk; reports are written to disk.
 */
export function createTestIo(options: TestIoOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  let exitCode = 0;
  const io: CommandIo = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: options.env ?? {},
    now: () => options.now ?? Date.UTC(2024, 4, 14, 6, 59, 37, 82),
    createNonce: () => options.nonce ?? "0".repeat(32),
    readText: (path) => files.get(path) ?? readFileSync(path, "utf8"),
    writeText: (path, text) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    setExitCode: (code) => {
      exitCode = code;
    },
    exit: (code) => {
      throw new ExitCalled(code);
    },
  };
  return {
    io,
    files,
    get out() {
      return out.join("");
    },
    get err() {
      return err.join("");
    },
    get exitCode() {
      return exitCode;
    },
    /** Forgets what was printed and the exit code, for the next run. */
    reset() {
      out.length = 0;
      err.length = 0;
      exitCode = 0;
    },
  };
}
