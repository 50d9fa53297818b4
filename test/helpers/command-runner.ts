import { Command } from "commander";
import type { CommandIo } from "../../cli/command-io.js";
import type { TestIoOptions } from "./create-test-io.js";
import { ExitCalled, createTestIo } from "./create-test-io.js";

/** Parses `args` with `program`: the exit code is the command's, or the one commander exited with. */
export async function runProgram(program: Command, test: ReturnType<typeof createTestIo>, args: string[]) {
  test.reset();
  let exitCode: number | undefined;
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (!(error instanceof ExitCalled)) throw error;
    exitCode = error.exitCode;
  }
  return { out: test.out, err: test.err, all: test.out + test.err, exitCode: exitCode ?? test.exitCode };
}

/**
 * Runs one subcommand in process with a fake outside world (see createTestIo): output and exit
 * code captured; commander's own exits recorded instead of ending the run.
 */
export function createCommandRunner(register: (program: Command, io: CommandIo) => void, command: string, options: TestIoOptions = {}) {
  const test = createTestIo(options);
  const run = (...args: string[]) => {
    const program = new Command();
    register(program, test.io);
    return runProgram(program, test, [command, ...args]);
  };
  return { files: test.files, run };
}
