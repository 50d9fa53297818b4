#!/usr/bin/env node
import { Command } from "commander";
import { registerOperations } from "./commands/operations.js";

const program = new Command()
  .name("pandapon-mock")
  .description("Mock server and contract-testing kit for the PandaPon OpenAPI and the TOP taobao.pc.* gateway methods")
  .showHelpAfterError();

// One line per subcommand module; each module owns its options and help.
registerOperations(program);

await program.parseAsync(process.argv);
