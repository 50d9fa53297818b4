import { Command } from "commander";
import type { CommandIo } from "../../cli/command-io.js";

/**
 * Runs one subcommand in process with a fake outside world: injected environment, clock, nonce
 * and files; output and exit code captured; commander's own exits thrown instead of ending the run.
 */
export function createCommandRunner(
  register: (program: Command, io: CommandIo) => void,
  command: string,
  options: { env?: Record<string, string>; now: number; nonce: string },
) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  let exitCode = 0;
  const io: CommandIo = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: options.env ?? {},
    now: () => options.now,
    createNonce: () => options.nonce,
    readText: (path) => {
      const text = files.get(path);
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    },
    setExitCode: (code) => {
      exitCode = code;
    },
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  const run = async (...args: string[]) => {
    out.length = 0;
    err.length = 0;
    exitCode = 0;
    const program = new Command();
    register(program, io);
    await program.parseAsync([command, ...args], { from: "user" });
    return { out: out.join(""), err: err.join(""), all: out.join("") + err.join(""), exitCode };
  };
  return { files, run };
}
