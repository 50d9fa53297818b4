import type { Command } from "commander";
import { getCatalog } from "../../schemas/catalog.js";
import { readOpenApiOperations, toOpenApi } from "../../schemas/to-openapi.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction, writeOutputFile } from "../command-io.js";

interface OpenApiOptions {
  only?: string[];
  out?: string;
}

function runOpenApi(options: OpenApiOptions, io: CommandIo): number {
  const catalog = getCatalog();
  const reading = readOpenApiOperations(catalog, options.only);
  if (!reading.ok) throw new InputError(reading.message);
  const text = JSON.stringify(toOpenApi(catalog, options.only), null, 2) + "\n";
  if (options.out) writeOutputFile(io, options.out, text);
  else io.out(text);
  return 0;
}

export function registerOpenApi(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "openapi", io)
    .description("print an OpenAPI 3.0 document of the PandaPon operations, made from the schemas (for Prism, WireMock, code generators)")
    .option("--only <operation...>", "only these operations (paths; see `pandapon-mock operations`)")
    .option("-o, --out <file>", "write it to a file instead of standard output")
    .action((options: OpenApiOptions) => runAction(io, () => runOpenApi(options, io)));
}
