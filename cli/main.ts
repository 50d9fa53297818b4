#!/usr/bin/env node
import { Command } from "commander";
import { registerOperations } from "./commands/operations.js";
import { registerVerify } from "./commands/verify.js";
import { registerCheck } from "./commands/check.js";
import { registerServe } from "./commands/serve.js";
import { registerSign } from "./commands/sign.js";
import { registerIdentifySignature } from "./commands/identify-signature.js";
import { registerOpenApi } from "./commands/openapi.js";
import { readPackageVersion } from "./read-package-version.js";

const program = new Command()
  .name("pandapon-mock")
  .description("Mock server and contract-testing kit for the PandaPon OpenAPI and the TOP taobao.pc.* gateway methods")
  .version(readPackageVersion())
  .showHelpAfterError();

// One line per subcommand module; each module owns its options and help.
registerServe(program);
registerOperations(program);
registerVerify(program);
registerCheck(program);
registerSign(program);
registerIdentifySignature(program);
registerOpenApi(program);

await program.parseAsync(process.argv);
