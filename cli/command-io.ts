import { readFileSync } from "node:fs";
import { createNonce } from "../client/create-nonce.js";

/** What a command touches outside itself; tests pass their own. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  now(): number;
  createNonce(): string;
  /** A file's text; `-` is standard input. */
  readText(path: string): string;
  setExitCode(code: number): void;
  /** Ends the process (commander's own parse errors); tests throw instead. */
  exit(code: number): never;
}

export const PROCESS_IO: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  now: () => Date.now(),
  createNonce,
  readText: (path) => readFileSync(path === "-" ? 0 : path, "utf8"),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  exit: (code) => process.exit(code),
};

/** Bad command-line input: printed as is, exit code 2. */
export class InputError extends Error {
  override name = "InputError";
  readonly code = "bad-input";
}

/** Runs an action: bad input is printed with exit code 2; anything else is a bug and is thrown. */
export function runAction(io: CommandIo, action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.err(error.message + "\n");
    io.setExitCode(2);
  }
}

/** Commander's own errors (unknown option, missing value) are bad input too: exit code 2. */
export function exitOnCommanderError(io: CommandIo) {
  return (error: { exitCode: number }): never => io.exit(error.exitCode === 0 ? 0 : 2);
}
