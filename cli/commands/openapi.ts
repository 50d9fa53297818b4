import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { getCatalog } from "../../schemas/catalog.js";
import { readOpenApiOperations, toOpenApi } from "../../schemas/to-openapi.js";
import { InputError, PROCESS_IO, runAction } from "../command-io.js";

export function registerOpenApi(program: Command): void {
  program
    .command("openapi")
    .description("print an OpenAPI 3.0 document of the PandaPon operations, made from the schemas (for Prism, WireMock, code generators)")
    .option("--only <operation...>", "only these operations (paths; see `pandapon-mock operations`)")
    .option("-o, --out <file>", "write it to a file instead of standard output")
    .action((options: { only?: string[]; out?: string }) =>
      runAction(PROCESS_IO, () => {
        const catalog = getCatalog();
        const reading = readOpenApiOperations(catalog, options.only);
        if (!reading.ok) throw new InputError(reading.message);
        const text = JSON.stringify(toOpenApi(catalog, options.only), null, 2) + "\n";
        if (options.out) writeFileSync(options.out, text);
        else process.stdout.write(text);
      }),
    );
}
