import { Command } from "commander";
import type { CommandIo } from "./command-io.js";
import { PROCESS_IO, useCommandIo } from "./command-io.js";
import { registerCheck } from "./commands/check.js";
import { registerCheckRecordings } from "./commands/check-recordings.js";
import { registerIdentifySignature } from "./commands/identify-signature.js";
import { registerOpenApi } from "./commands/openapi.js";
import { registerOperations } from "./commands/operations.js";
import { registerProxy } from "./commands/proxy.js";
import { registerPush } from "./commands/push.js";
import { registerServe } from "./commands/serve.js";
import { registerSign } from "./commands/sign.js";
import { registerStateCommands } from "./commands/state-commands.js";
import { registerVerify } from "./commands/verify.js";
import { readPackageVersion } from "./read-package-version.js";

/** The `pandapon-mock` command line, every subcommand speaking through `io`. */
export function createProgram(io: CommandIo = PROCESS_IO): Command {
  const program = useCommandIo(new Command(), io)
    .name("pandapon-mock")
    .description("Mock server and contract-testing kit for the PandaPon OpenAPI and the TOP taobao.pc.* gateway methods")
    .version(readPackageVersion())
    .showHelpAfterError();
  // One line per subcommand module; each module owns its options and help.
  registerServe(program, io);
  registerOperations(program, io);
  registerPush(program, io);
  registerVerify(program, io);
  registerCheck(program, io);
  registerSign(program, io);
  registerIdentifySignature(program, io);
  registerOpenApi(program, io);
  registerStateCommands(program, io);
  registerProxy(program, io);
  registerCheckRecordings(program, io);
  return program;
}
