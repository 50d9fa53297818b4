import type { Command } from "commander";
import { toMessageText } from "../../mock/push/push-payload.js";
import { ACK_TIMEOUT_MS } from "../../mock/push/push-schedule.js";
import { checkCallbackUrl, sendPush, toShownUrl } from "../../mock/push/send-push.js";
import { getLifecycles } from "../../mock/state/lifecycle.js";
import { toEntityId } from "../../mock/state/to-entity-id.js";
import { DEMO_PANDAPON } from "../../protocol/demo.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction } from "../command-io.js";

interface PushFlags {
  to?: string;
  entity?: string;
  tenant?: string;
  secret?: string;
  seed?: string;
  print?: boolean;
}

/**
 * `push <messageType> --to <url> [--entity type/id]`: one signed message, as the mock would push it,
 * to any URL, without a running mock (for testing a receiver alone). The body is the view of the
 * entity (born from the seed for an id nobody wrote; default: an entity of the first type that
 * pushes the messageType). Exit 0 when the receiver acknowledged it (HTTP 200 within 1000 ms), else 1.
 */
export function registerPush(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "push <messageType>", io)
    .description("send one signed message push (as the mock pushes it) to a receiver URL, without a running mock")
    .requiredOption("--to <url>", "the receiver's callback URL")
    .option("--entity <type/id>", "the entity whose view is the message body (default: one of the first entity type that pushes the messageType)")
    .option("--tenant <key>", `the tenant (access-key) the entity belongs to (default: the demo key ${DEMO_PANDAPON.accessKey})`)
    .option("--secret <secret>", "the AccessSecret to sign with (env PANDAPON_MOCK_PUSH_SECRET; default: the demo secret)")
    .option("--seed <seed>", "the seed born entities come from (default 1)")
    .option("--print", "print the message sent")
    .action((messageType: string, flags: PushFlags) =>
      runAction(io, async () => {
        const urlProblem = checkCallbackUrl(flags.to);
        if (urlProblem !== undefined) throw new InputError(`--to: ${urlProblem}.`);
        const { openState } = await import("../../mock/state/open-state.js");
        const state = await openState({ location: "memory", seed: flags.seed ?? 1 });
        try {
          const tenant = flags.tenant ?? DEMO_PANDAPON.accessKey;
          const types = state.types().map((t) => t.type);
          const pushing = types.filter((type) => state.messagesOf(type).some((m) => m.messageType === messageType));
          if (pushing.length === 0) {
            const all = [...new Set(types.flatMap((type) => state.messagesOf(type).map((m) => m.messageType)))];
            throw new InputError(`No entity pushes ${messageType}: the messageTypes are ${all.join(", ")}.`);
          }
          const [type, id] = flags.entity === undefined ? [pushing[0]!, undefined] : splitEntity(flags.entity);
          if (!pushing.includes(type)) throw new InputError(`A ${type} does not push ${messageType}; ${pushing.join(", ")} do.`);
          // Without an id: the first id the tenant would create, its entity born from the seed.
          const entityId = id ?? toEntityId(getLifecycles().get(type)!, state.seed, tenant, 1);
          const read = await state.read(tenant, type, entityId);
          if (!read.ok) throw new InputError(read.message);
          const now = state.clock.now();
          const message = state.toMessage(read.entity, state.messagesOf(type).find((m) => m.messageType === messageType)!, now);
          const text = toMessageText({ messageType, messageBody: message.body, messagePlatform: message.platform }, now);
          if (flags.print) io.out(text + "\n");
          const result = await sendPush(flags.to!, text, flags.secret ?? io.env.PANDAPON_MOCK_PUSH_SECRET ?? DEMO_PANDAPON.secret);
          const where = `${messageType} for ${type} ${entityId} to ${toShownUrl(flags.to!)}`;
          if (result.acknowledged) {
            io.out(`acknowledged: ${where}: HTTP 200 in ${result.latencyMs} ms\n`);
            return 0;
          }
          io.err(`not acknowledged: ${where}: ${result.error} (${result.latencyMs} ms; the platform wants HTTP 200 within ${ACK_TIMEOUT_MS} ms, else it retries 30 minutes later)\n`);
          return 1;
        } finally {
          await state.close();
        }
      }),
    );
}

function splitEntity(text: string): [string, string] {
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) throw new InputError(`--entity must be <type>/<id>, e.g. taobao-order/1012345678901234567, not "${text}".`);
  return [text.slice(0, slash), text.slice(slash + 1)];
}
