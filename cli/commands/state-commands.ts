import type { Command } from "commander";
import { ClientError } from "../../client/client-error.js";
import type { AdminClient, AdminEntity, AdminProbeResult } from "../../client/create-admin-client.js";
import { AdminClientError, createAdminClient } from "../../client/create-admin-client.js";
import { readJsonExactly } from "../../mock/read-json.js";
import { toJsonText } from "../../protocol/json-wire.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction } from "../command-io.js";
import { readMockUrl } from "../read-mock-url.js";
import { readNumberOption } from "../read-number-option.js";

/** The options every command of a running mock's state takes. */
interface MockFlags {
  baseUrl?: string;
  adminToken?: string;
  tenant?: string;
  json?: boolean;
}

function toClient(flags: MockFlags, io: CommandIo): AdminClient {
  const baseUrl = flags.baseUrl ?? readMockUrl(io.env);
  if (!/^https?:\/\/[^/]/.test(baseUrl)) throw new InputError(`--base-url must be an http(s) URL such as http://127.0.0.1:4010, not "${baseUrl}".`);
  return createAdminClient({ baseUrl, token: flags.adminToken ?? io.env.PANDAPON_MOCK_ADMIN_TOKEN, fetch: io.fetch });
}

/** One line per entity: type, id, state, tenant, and whether it was stored. */
function toEntityLine(e: AdminEntity): string {
  return `${e.type}  ${e.id}  ${e.state}  tenant ${e.tenant}  v${e.version}  allowed: ${e.allowedActions.join(", ") || "none"}`;
}

/**
 * Runs a call to the mock: its answer printed; a mock that cannot be reached is bad input (exit 2),
 * a refusal of the mock (404, 409…) is printed on stderr with exit code 1.
 */
async function runCall(io: CommandIo, call: () => Promise<string>): Promise<number> {
  try {
    io.out((await call()) + "\n");
    return 0;
  } catch (error) {
    if (error instanceof ClientError) throw new InputError(`${error.message} Start it with \`npx pandapon-mock serve\`, or pass --base-url (or PANDAPON_MOCK_URL).`, { cause: error });
    if (!(error instanceof AdminClientError)) throw error;
    const allowed = Array.isArray(error.body.allowedActions) ? ` Allowed actions: ${(error.body.allowedActions as string[]).join(", ") || "none"}.` : "";
    io.err(`${error.message}${allowed}\n`);
    return 1;
  }
}

function addMockCommand(program: Command, name: string, io: CommandIo): Command {
  return addCommand(program, name, io)
    .option("--base-url <url>", "the running mock (env PANDAPON_MOCK_URL; default http://127.0.0.1:4010)")
    .option("--admin-token <token>", "the mock's admin token (env PANDAPON_MOCK_ADMIN_TOKEN, preferred: flags show in ps)");
}

/** `entities`, `entity`, `act`, `clock`, `verify-callbacks` and `reset`: the state of a running mock, through its admin API. */
export function registerStateCommands(program: Command, io: CommandIo = PROCESS_IO): void {
  addMockCommand(program, "entities [type]", io)
    .description("list the stored entities of a running mock (all tenants unless --tenant); without a type and with --types, the entity types")
    .option("--tenant <key>", "one tenant's entities (a PandaPon access-key or TOP app_key)")
    .option("--types", "list the entity types, their states and actions")
    .option("--json", "print JSON")
    .action((type: string | undefined, flags: MockFlags & { types?: boolean }) =>
      runAction(io, () =>
        runCall(io, async () => {
          const client = toClient(flags, io);
          if (flags.types) {
            const types = await client.entities.types();
            return flags.json ? toJsonText(types, 2) : types.map((t) => `${t.type}  ${t.title}\n  states: ${t.states.map((s) => s.name).join(", ")}\n  actions: ${t.actions.map((a) => `${a.name} (${a.actor})`).join(", ")}`).join("\n");
          }
          const page = await client.entities.list({ type, tenant: flags.tenant, limit: 1000 });
          if (flags.json) return toJsonText(page, 2);
          return [...page.entities.map(toEntityLine), `${page.entities.length} stored${page.next ? " (more: use the admin API's after)" : ""}.`].join("\n");
        }),
      ),
    );
  addMockCommand(program, "entity <type> <id>", io)
    .description("show one entity of a running mock (an id nobody wrote shows the entity born for it), as JSON")
    .option("--tenant <key>", "whose entity (default: the mock's first PandaPon access-key)")
    .action((type: string, id: string, flags: MockFlags) => runAction(io, () => runCall(io, async () => toJsonText(await toClient(flags, io).entities.get(type, id, { tenant: flags.tenant }), 2))));
  addMockCommand(program, "act <type> <id> <action>", io)
    .description("take an action on an entity of a running mock (e.g. act alibaba-refund TQ… seller-agree) and print the entity after it")
    .option("--tenant <key>", "whose entity (default: the mock's first PandaPon access-key)")
    .option("--input <json>", "the action's input, a JSON object")
    .action((type: string, id: string, action: string, flags: MockFlags & { input?: string }) =>
      runAction(io, () => {
        const input = flags.input === undefined ? undefined : readInput(flags.input);
        return runCall(io, async () => toJsonText(await toClient(flags, io).entities.act(type, id, action, { input, tenant: flags.tenant }), 2));
      }),
    );
  addMockCommand(program, "clock", io)
    .description("show the virtual clock of a running mock, or move it forward (timers fall due as it passes)")
    .option("--advance <seconds>", "move the clock forward by this many seconds")
    .action((flags: MockFlags & { advance?: string }) =>
      runAction(io, () => {
        const seconds = readNumberOption(flags.advance, "--advance", undefined);
        return runCall(io, async () => {
          const client = toClient(flags, io);
          const clock = seconds === undefined ? await client.clock.get() : await client.clock.advance(seconds);
          return `${clock.now} (${clock.setting.mode === "frozen" ? "frozen" : `real time ${clock.setting.offsetMs >= 0 ? "+" : ""}${clock.setting.offsetMs / 1000} s`})`;
        });
      }),
    );
  addMockCommand(program, "verify-callbacks", io)
    .description('send the console\'s "Verify" probe from a running mock: one signed message to each callback URL of a tenant (or --url), now; exit 0 when each answered HTTP 200 within 1000 ms, else 1')
    .option("--tenant <key>", "whose callback URLs (default: the mock's first PandaPon access-key)")
    .option("--url <url>", "probe this URL instead of the tenant's callback URLs")
    .option("--json", "print JSON")
    .action((flags: MockFlags & { url?: string }) =>
      runAction(io, async () => {
        let failed = false;
        const code = await runCall(io, async () => {
          const probe = await toClient(flags, io).callbackUrls.verify({ tenant: flags.tenant, url: flags.url });
          failed = probe.results.some((r) => !r.ok);
          return flags.json ? toJsonText(probe, 2) : [`${probe.messageType} probe of ${probe.tenant}'s callback URLs:`, ...probe.results.map(toProbeLine)].join("\n");
        });
        return code === 0 && failed ? 1 : code;
      }),
    );
  addMockCommand(program, "reset", io)
    .description("forget every entity of a running mock (the clock stays), or one tenant's")
    .option("--tenant <key>", "only this tenant's entities")
    .action((flags: MockFlags) =>
      runAction(io, () =>
        runCall(io, async () => {
          await toClient(flags, io).reset({ tenant: flags.tenant });
          return flags.tenant ? `Reset the entities of ${flags.tenant}.` : "Reset every entity.";
        }),
      ),
    );
}

/** One line per probed URL: whether it acknowledged, and what came back. */
function toProbeLine(r: AdminProbeResult): string {
  const answer = r.ok ? `HTTP 200 in ${r.latencyMs} ms` : `${r.error ?? `HTTP ${r.status}`} (${r.latencyMs} ms)`;
  return `${r.ok ? "ok    " : "failed"}  ${r.url}  ${answer}`;
}

function readInput(text: string): unknown {
  let value: unknown;
  try {
    value = readJsonExactly(text);
  } catch (error) {
    throw new InputError(`Failed to read --input: it is not JSON (${(error as Error).message}).`, { cause: error });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new InputError("Failed to read --input: it must be a JSON object.");
  return value;
}
