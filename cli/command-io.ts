import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command, OutputConfiguration } from "commander";
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
  /** Writes a file, making its folder first. */
  writeText(path: string, text: string): void;
  /** How `verify` reaches the APIs. */
  fetch: typeof fetch;
  setExitCode(code: number): void;
  /** Ends the process (commander's own errors, --help, --version); tests throw instead. */
  exit(code: number): never;
}

export const PROCESS_IO: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  now: () => Date.now(),
  createNonce,
  readText: (path) => readFileSync(path === "-" ? 0 : path, "utf8"),
  writeText: (path, text) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  },
  fetch: (input, init) => fetch(input, init),
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

/** A file the user named, or bad input saying which one could not be read and why. */
export function readInputFile(io: CommandIo, path: string): string {
  try {
    return io.readText(path);
  } catch (error) {
    throw new InputError(`Failed to read "${path}": ${(error as Error).message}.`, { cause: error });
  }
}

/** Writes a file the user named, or bad input saying why it could not be written. */
export function writeOutputFile(io: CommandIo, path: string, text: string): void {
  try {
    io.writeText(path, text);
  } catch (error) {
    throw new InputError(`Failed to write "${path}": ${(error as Error).message}.`, { cause: error });
  }
}

/**
 * Runs a command's action and sets the exit status it returns; bad input is printed as is with
 * exit code 2; anything else is a bug and is thrown.
 */
export async function runAction(io: CommandIo, action: () => number | Promise<number>): Promise<void> {
  try {
    io.setExitCode(await action());
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.err(error.message + "\n");
    io.setExitCode(2);
  }
}

/** Commander's own output (help, its errors) through the command's I/O. */
function toOutputConfiguration(io: CommandIo): OutputConfiguration {
  return { writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) };
}

/** Commander's own errors (unknown option, missing value) are bad input too: exit code 2. */
function exitOnCommanderError(io: CommandIo) {
  return (error: { exitCode: number }): never => io.exit(error.exitCode === 0 ? 0 : 2);
}

/** Makes a command speak through `io`: its help and errors written there, its errors exit 2. */
export function useCommandIo(command: Command, io: CommandIo): Command {
  return command.configureOutput(toOutputConfiguration(io)).exitOverride(exitOnCommanderError(io));
}

/** The one way a command is added: `parent <name>`, speaking through `io`. */
export function addCommand(parent: Command, name: string, io: CommandIo): Command {
  return useCommandIo(parent.command(name), io);
}
