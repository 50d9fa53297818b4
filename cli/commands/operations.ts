import type { Command } from "commander";
import { getCatalog } from "../../schemas/catalog.js";
import { listCoveredOperations, readUndocumented, toCallText, toGroups } from "../../schemas/coverage.js";
import type { CommandIo } from "../command-io.js";
import { PROCESS_IO, addCommand, runAction } from "../command-io.js";

function toText(): string {
  const ops = listCoveredOperations(getCatalog());
  const undocumented = readUndocumented();
  const lines: string[] = [];
  for (const [group, members] of toGroups(ops)) {
    lines.push(group);
    for (const o of members) {
      const aliases = o.aliases.length > 0 ? ` (also ${o.aliases.join(", ")})` : "";
      const assumed = o.assumed ? "  (answer assumed: not documented)" : "";
      lines.push(`  ${o.coverage === "full" ? "full   " : "partial"}  ${toCallText(o)}${aliases}  ${o.summary}${assumed}`);
    }
  }
  const full = ops.filter((o) => o.coverage === "full").length;
  const assumed = ops.filter((o) => o.assumed).length;
  const assumedText = assumed > 0 ? `; ${assumed} with an assumed answer` : "";
  lines.push("", `${ops.length} operations with schemas: ${full} full, ${ops.length - full} partial${assumedText}.`);
  if (undocumented.length > 0) {
    lines.push(`${undocumented.length} documented operations have no schema because their pages are not available:`);
    for (const u of undocumented) lines.push(`  ${u.group}: ${u.name}${u.path ? ` (${u.path})` : ""} — ${u.reason}`);
  }
  return lines.join("\n");
}

function runOperations(options: { json?: boolean }, io: CommandIo): number {
  const text = options.json ? JSON.stringify({ operations: listCoveredOperations(getCatalog()), undocumented: readUndocumented() }, null, 2) : toText();
  io.out(text + "\n");
  return 0;
}

export function registerOperations(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "operations", io)
    .description("list the operations the kit covers, by group, with their documentation coverage")
    .option("--json", "print JSON: the operations and the documented operations without a schema")
    .action((options: { json?: boolean }) => runAction(io, () => runOperations(options, io)));
}
