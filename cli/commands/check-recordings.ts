import type { Command } from "commander";
import { existsSync } from "node:fs";
import { checkRecordings, toRecordingsReport } from "../../proxy/check-recordings.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction, writeOutputFile } from "../command-io.js";

interface CheckRecordingsFlags {
  json?: string;
  strict?: boolean;
}

export function registerCheckRecordings(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "check-recordings", io)
    .description("validate every recorded answer (proxy --record) against today's schemas and report the drift")
    .argument("<dir>", "a folder of recordings")
    .option("--json <file>", "write the findings as JSON")
    .option("--strict", "undocumented members and never-sent documented members fail too")
    .addHelpText(
      "after",
      [
        "",
        "Per operation: documented members never sent (in an object the API did send), undocumented members sent,",
        "type differences, and any other failure. The evidence to tighten a schema from partial to full.",
        "Exit status: 0 every answer fits its schema (type differences and other failures are failures); 1 not;",
        "2 a usage error (no such folder, a file that is not a recording).",
      ].join("\n"),
    )
    .action((dir: string, flags: CheckRecordingsFlags) => runAction(io, () => runCheckRecordings(dir, flags, io)));
}

function runCheckRecordings(dir: string, flags: CheckRecordingsFlags, io: CommandIo): number {
  if (!existsSync(dir)) throw new InputError(`Failed to read recordings from "${dir}": no such folder.`);
  const check = checkRecordings(dir);
  io.out(toRecordingsReport(check));
  if (flags.json) writeOutputFile(io, flags.json, JSON.stringify(check, null, 2) + "\n");
  if (check.unreadable.length > 0) return 2;
  const failed = check.operations.some((op) => op.typeDifferences.length > 0 || op.violations.length > 0 || (flags.strict === true && (op.undocumented.length > 0 || op.neverSent.length > 0)));
  return failed ? 1 : 0;
}
