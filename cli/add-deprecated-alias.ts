import type { Command } from "commander";
import { Option } from "commander";
import type { CommandIo } from "./command-io.js";

/**
 * Keeps an option's old spelling working, hidden from the help: its value goes to the option's
 * current name, with a note on stderr (stdout stays clean for `--curl | sh`). When both are given,
 * the current name wins. `current` must already be an option of the command.
 */
export function addDeprecatedAlias(command: Command, alias: string, current: string, io: CommandIo): Command {
  const target = command.options.find((option) => option.long === current);
  if (!target) throw new Error(`addDeprecatedAlias: ${command.name()} has no option ${current}.`);
  const old = new Option(`${alias} <value>`).hideHelp();
  return command.addOption(old).hook("preAction", (actioned) => {
    const value = actioned.getOptionValue(old.attributeName()) as string | undefined;
    if (value === undefined) return;
    const given = actioned.getOptionValue(target.attributeName()) !== undefined;
    io.err(`Note: ${alias} is the old name of ${current}${given ? `, which is also given and wins` : ""}; use ${current} (${alias} will be removed).\n`);
    if (!given) actioned.setOptionValueWithSource(target.attributeName(), value, "cli");
  });
}
