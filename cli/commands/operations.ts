import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { SCHEMA_DIR, getCatalog } from "../../schemas/catalog.js";

/** A documented operation whose page is not available, so it has no schema (schemas/undocumented.json). */
export interface UndocumentedOperation {
  api: string;
  group: string;
  name: string;
  method?: string;
  path?: string;
  reason: string;
}

export function readUndocumented(): UndocumentedOperation[] {
  const file = join(SCHEMA_DIR, "undocumented.json");
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, "utf8")) as { operations: UndocumentedOperation[] }).operations;
}

export function listOperations() {
  return getCatalog().operations.map(({ meta }) => ({
    name: meta.name,
    api: meta.api,
    group: meta.group,
    method: meta.api === "pandapon" ? (meta.method ?? "POST") : meta.api === "top" ? "GET|POST" : "POST",
    path: meta.api === "pandapon" ? meta.path : meta.api === "top" ? "/router/rest" : undefined,
    topMethod: meta.topMethod,
    messageType: meta.messageType,
    aliases: meta.aliases ?? [],
    coverage: meta.coverage,
    summary: meta.summary,
  }));
}

function toText(): string {
  const ops = listOperations();
  const undocumented = readUndocumented();
  const lines: string[] = [];
  const groups = [...new Set(ops.map((o) => o.group))];
  for (const group of groups) {
    lines.push(group);
    for (const o of ops.filter((x) => x.group === group)) {
      const where = o.api === "top" ? o.name : o.api === "callback" ? `callback ${o.name}` : `${o.method} ${o.path}`;
      const aliases = o.aliases.length > 0 ? ` (also ${o.aliases.join(", ")})` : "";
      lines.push(`  ${o.coverage === "full" ? "full   " : "partial"}  ${where}${aliases}  ${o.summary}`);
    }
  }
  const full = ops.filter((o) => o.coverage === "full").length;
  lines.push("", `${ops.length} operations with schemas: ${full} full, ${ops.length - full} partial.`);
  if (undocumented.length > 0) {
    lines.push(`${undocumented.length} documented operations have no schema because their pages are not available:`);
    for (const u of undocumented) lines.push(`  ${u.group}: ${u.name}${u.path ? ` (${u.path})` : ""} — ${u.reason}`);
  }
  return lines.join("\n");
}

export function registerOperations(program: Command): void {
  program
    .command("operations")
    .description("list the operations the kit covers, by group, with their documentation coverage")
    .option("--json", "print JSON: the operations and the documented operations without a schema")
    .action((options: { json?: boolean }) => {
      if (options.json) {
        process.stdout.write(JSON.stringify({ operations: listOperations(), undocumented: readUndocumented() }, null, 2) + "\n");
      } else {
        process.stdout.write(toText() + "\n");
      }
    });
}
