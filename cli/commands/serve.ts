import type { Command } from "commander";
import { DEFAULT_HOST, DEFAULT_PORT, DEMO_PANDAPON, DEMO_TOP } from "../../protocol/demo.js";
import type { ServeSettings } from "../../config/load-config.js";
import type { StoreLimitSetting } from "../../config/load-config.js";
import { STORE_LIMIT_SETTINGS, readEnvSettings, readFileSettings, toServeConfig, toStoreLimitEnv } from "../../config/load-config.js";
import type { StoreLimits } from "../../mock/state/store.js";
import { DEFAULT_STORE_LIMITS } from "../../mock/state/store.js";
import { checkAdminExposure } from "../../mock/admin-guard.js";
import { resolve } from "node:path";
import { createApp, getCore } from "../../mock/app.js";
import type { MockOptions } from "../../mock/options.js";
import { toMockOptions } from "../../mock/options.js";
import { DEFAULT_STATE_FILE } from "../../mock/state/default-state-file.js";
import type { MockCore } from "../../mock/create-core.js";
import type { StateService } from "../../mock/state/create-state.js";
import { DEFAULT_DRAIN_MS, startServer } from "../../mock/start-server.js";
import type { ReplayBook } from "../../mock/replay/create-replay-book.js";
import { createReplayBook, loadRecordings } from "../../mock/replay/create-replay-book.js";
import type { Recording } from "../../mock/replay/recording.js";
import type { SeedOutcome } from "../../mock/replay/seed-state.js";
import { getCatalog } from "../../schemas/catalog.js";
import { listCoveredOperations, toGroups } from "../../schemas/coverage.js";
import { describeScheme } from "../../signing/pandapon-scheme.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction } from "../command-io.js";
import { readIntegerOption } from "../read-integer-option.js";
import { readNumberOption } from "../read-number-option.js";
import { SCHEME_OPTION_HELP, readSchemeOption } from "../read-scheme-option.js";

interface ServeFlags {
  port?: string;
  host?: string;
  seed?: string;
  config?: string;
  scheme?: string;
  window?: string;
  topWindow?: string;
  adminToken?: string;
  verifySignatures?: boolean;
  requireNonce?: boolean;
  validateResponses?: boolean;
  nonceMemoryBytes?: string;
  log?: boolean;
  state?: string;
  stateless?: boolean;
  replay?: string;
  replayStrict?: boolean;
  callbackUrl?: string[];
  maxEntities?: string;
  maxPushes?: string;
  maxPushHistory?: string;
  maxPushHistoryBytes?: string;
  maxStateKeys?: string;
  maxStateBytes?: string;
}

const STORE_LIMIT_NAMES = Object.keys(STORE_LIMIT_SETTINGS) as StoreLimitSetting[];
const toFlag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
/** What each store limit bounds, for --help. */
const STORE_LIMIT_HELP: Record<StoreLimitSetting, string> = {
  maxEntities: "entities the state keeps",
  maxPushes: "pushes the outbox keeps, pending and finished (pending ones are never dropped: full of them, new pushes are refused and counted)",
  maxPushHistory: "finished pushes (done, given up) kept, the oldest dropped first",
  maxPushHistoryBytes: "bytes of finished pushes kept",
  maxStateKeys: "sequences and meta entries (the clock, callback URLs) the state keeps",
  maxStateBytes: "bytes of stored text (entities, pushes, meta) the state keeps",
};

function toFlagSettings(flags: ServeFlags, io: CommandIo): ServeSettings {
  return {
    port: readIntegerOption(flags.port, "--port", undefined),
    host: flags.host,
    seed: flags.seed,
    scheme: flags.scheme === undefined ? undefined : readSchemeOption(flags.scheme, io),
    windowSeconds: readNumberOption(flags.window, "--window", undefined),
    topWindowSeconds: readNumberOption(flags.topWindow, "--top-window", undefined),
    adminToken: flags.adminToken,
    verifySignatures: flags.verifySignatures,
    requireNonce: flags.requireNonce,
    validateResponses: flags.validateResponses,
    nonceMemoryBytes: readIntegerOption(flags.nonceMemoryBytes, "--nonce-memory-bytes", undefined),
    log: flags.log,
    state: flags.stateless ? "stateless" : flags.state,
    callbackUrls: flags.callbackUrl,
    replay: flags.replay,
    replayStrict: flags.replayStrict,
    ...Object.fromEntries(STORE_LIMIT_NAMES.map((name) => [name, readIntegerOption(flags[name], toFlag(name), undefined)])),
  };
}

/** What `serve` prints at start: where, what it serves, its settings, and the demo credentials (never real secrets). */
function toStartBanner(core: MockCore, url: string, state: string): string {
  const ops = core.catalog.operations;
  const served = toGroups(listCoveredOperations(core.catalog).filter((o) => o.api !== "callback")).map(
    ([group, members]) => `    ${group}: ${members.map((o) => (o.api === "top" ? o.name : `${o.method} ${o.path}`)).join(", ")}`,
  );
  const keys = core.options.pandapon.keys;
  const apps = core.options.top.apps;
  const usesDemo = keys.some((k) => k.secret === DEMO_PANDAPON.secret) || apps.some((a) => a.secret === DEMO_TOP.secret);
  return [
    `pandapon-mock listening on ${url}`,
    `  export PANDAPON_MOCK_URL=${url}  # in another terminal: sign and verify then call this mock`,
    `  PandaPon: ${ops.filter((o) => o.meta.api === "pandapon").length} operations at their documented paths; TOP gateway: ${url}/router/rest (${ops.filter((o) => o.meta.api === "top").length} taobao.pc.* methods)`,
    ...served,
    `  health: ${url}/__mock/health · journal: ${url}/__mock/journal · list: npx pandapon-mock operations`,
    `  seed ${core.options.seed} · signatures ${core.options.verifySignatures ? "checked" : "NOT checked"} · window ±${toWindowText(core)}`,
    core.options.admin.token ? "  admin token: set (/__mock/* needs Authorization: Bearer <token>)" : "  /__mock/* answers loopback Host names only (no admin token)",
    `  PandaPon signature scheme: ${describeScheme(core.options.pandapon.scheme)}`,
    toStateLine(state, url),
    usesDemo
      ? [
          "Demo credentials (public, for local use only):",
          `  PandaPon access-key ${DEMO_PANDAPON.accessKey}  secret ${DEMO_PANDAPON.secret}  user-id ${DEMO_PANDAPON.userId}`,
          `  TOP app_key ${DEMO_TOP.appKey}  secret ${DEMO_TOP.secret}`,
          `  Sign a request: npx pandapon-mock sign --help`,
        ].join("\n")
      : `Using ${keys.length} configured PandaPon key(s) and ${apps.length} TOP app(s) (secrets not shown).`,
  ].join("\n");
}

/** Where the entities and the clock live, and how to start afresh. */
function toStateLine(state: string, url: string): string {
  if (state === "stateless") return "  state: none (--stateless): no entities, no virtual clock; /__mock/entities and /__mock/clock answer 404";
  const where = state === "memory" ? "in memory (lost at exit)" : `in ${resolve(state)} (kept across restarts)`;
  return `  state: ${where} · entities: ${url}/__mock/entities · reset: npx pandapon-mock reset (POST /__mock/reset) · --stateless for none`;
}

/** `600 s`, or `600 s (TOP ±900 s)` when TOP has its own window. */
function toWindowText(core: MockCore): string {
  const pandapon = core.options.pandapon.windowMs / 1000;
  const top = core.options.top.windowMs / 1000;
  return top === pandapon ? `${pandapon} s` : `${pandapon} s (TOP ±${top} s)`;
}

export function registerServe(program: Command, io: CommandIo = PROCESS_IO): void {
  const serve = addCommand(program, "serve", io)
    .description("start the mock (PandaPon paths and the TOP gateway at /router/rest) on one HTTP server")
    .option("-p, --port <port>", `port (env PORT; default ${DEFAULT_PORT})`, undefined)
    .option("--host <host>", `address to listen on (env HOST; default ${DEFAULT_HOST})`, undefined)
    .option("--seed <seed>", "same seed and request, same answer (env PANDAPON_MOCK_SEED; default 1)")
    .option("-c, --config <file>", "JSON config file (env PANDAPON_MOCK_CONFIG): host, port, seed, keys, apps, scheme, windowSeconds, …")
    .option("--scheme <json|file>", `${SCHEME_OPTION_HELP} (env PANDAPON_MOCK_SCHEME)`)
    .option("--window <seconds>", "allowed timestamp distance, PandaPon and TOP (env PANDAPON_MOCK_WINDOW_SECONDS; default 600)")
    .option("--top-window <seconds>", "TOP's own timestamp window (env PANDAPON_MOCK_TOP_WINDOW_SECONDS; default: --window)")
    .option("--admin-token <token>", "require Authorization: Bearer <token> on /__mock/*; needed to listen beyond loopback (env PANDAPON_MOCK_ADMIN_TOKEN, preferred: flags show in ps)")
    .option("--no-verify-signatures", "accept any signature, key, timestamp and nonce (quick demos)")
    .option("--require-nonce", "reject PandaPon requests without nonce-str")
    .option("--validate-responses", "check every answer against its schema before sending it")
    .option("--nonce-memory-bytes <bytes>", "bytes of the replay memory (env PANDAPON_MOCK_NONCE_MEMORY_BYTES; default 33554432: 1,048,576 nonces)")
    .option("--log", "print one line per request (env PANDAPON_MOCK_LOG)")
    .option("--state <file|memory>", `where entities and the virtual clock live (env PANDAPON_MOCK_STATE; default ${DEFAULT_STATE_FILE}; memory: lost at exit)`)
    .option("--callback-url <url>", "push the demo key's messages to this URL (repeatable; a config file's keys[].callbackUrls for other keys)", (url: string, list: string[] | undefined) => [...(list ?? []), url])
    .option("--stateless", "keep no state: no entities, no clock (the pure mode; env PANDAPON_MOCK_STATE=stateless)")
    .option("--replay <dir>", "answer requests that match a recorded exchange (proxy --record) with its recorded answer, in a fresh envelope; generate the others (env PANDAPON_MOCK_REPLAY)")
    .option("--replay-strict", "with --replay: answer a request that matches no recording 404 (PandaPon) or error_response (TOP) instead of generating (env PANDAPON_MOCK_REPLAY_STRICT)");
  for (const name of STORE_LIMIT_NAMES) {
    const { limit } = STORE_LIMIT_SETTINGS[name];
    serve.option(`${toFlag(name)} <n>`, `${STORE_LIMIT_HELP[name]} (env ${toStoreLimitEnv(name)}; default ${DEFAULT_STORE_LIMITS[limit]})`);
  }
  serve.action((flags: ServeFlags, command: Command) =>
    runAction(io, () =>
      runServe(flags, command, io).catch((error: unknown) => {
        throw toStartError(error);
      }),
    ),
  );
}

/** Seeds the state from recorded entities for the mock's first key and app (the lifecycles loaded only then). */
async function seedServeState(state: StateService, recordings: Recording[], options: MockOptions): Promise<SeedOutcome> {
  const [{ getLifecycles }, { seedStateFromRecordings }] = await Promise.all([import("../../mock/state/lifecycle.js"), import("../../mock/replay/seed-state.js")]);
  return seedStateFromRecordings(state, getLifecycles().values(), recordings, { pandapon: options.pandapon.keys[0]?.accessKey ?? "", top: options.top.apps[0]?.appKey ?? "" });
}

/** Whatever keeps the mock from starting (a bad setting, a busy port) is bad input: one line, exit code 2. */
function toStartError(error: unknown): InputError {
  const e = error as NodeJS.ErrnoException;
  const reason = e.code === "EADDRINUSE" ? "the port is in use: pass --port (or PORT) with a free one" : e.message;
  return new InputError(`pandapon-mock serve: ${reason}`, { cause: error });
}

/** The state service (and SQLite, the lifecycles) loaded only when the mock is stateful: --stateless keeps the cold start it had. */
async function openServeState(state: string, seed: string | number, limits: Partial<StoreLimits>): Promise<StateService> {
  const { openState } = await import("../../mock/state/open-state.js");
  return openState({ location: state === "memory" ? "memory" : { file: state }, seed, limits });
}

async function runServe(flags: ServeFlags, command: Command, io: CommandIo): Promise<number> {
  const fromFlags = toFlagSettings(flags, io);
  if (command.getOptionValueSource("verifySignatures") === "default") delete fromFlags.verifySignatures;
  const env = readEnvSettings(io.env);
  const file = readFileSettings(flags.config ?? io.env.PANDAPON_MOCK_CONFIG);
  const settings = [file, env, fromFlags];
  const config = toServeConfig(...settings);
  const exposure = checkAdminExposure(config.host, config.mock.admin?.token);
  if (exposure) throw new Error(exposure);
  const log = settings.reduce<boolean | undefined>((on, s) => s.log ?? on, undefined);
  const recordings = config.replay === undefined ? undefined : loadRecordings(config.replay.dir, getCatalog());
  const state = config.state === "stateless" ? undefined : await openServeState(config.state, toMockOptions(config.mock).seed, config.storeLimits);
  // Recorded answers of entities seed the state (the entity later reads and writes act on); the rest is replayed.
  const seeding = recordings && state ? await seedServeState(state, recordings, toMockOptions(config.mock)) : undefined;
  const replay: ReplayBook | undefined = recordings && createReplayBook(seeding ? recordings.filter((r) => !seeding.seeded.includes(r)) : recordings, config.replay?.strict === true);
  const app = createApp({ ...config.mock, state, replay, log: log ? (line) => io.out(line + "\n") : undefined });
  const drainMs = config.drainMs ?? DEFAULT_DRAIN_MS;
  const running = await startServer(app, config.port, config.host, { drainMs }).catch(async (error: unknown) => {
    await state?.close();
    throw error;
  });
  io.out(toStartBanner(getCore(app), running.url, config.state) + "\n");
  if (replay) io.out(`Replaying ${replay.size} recorded exchange(s) from ${config.replay!.dir}${replay.strict ? " strictly (no match: a not-recorded error)" : " (no match: generated)"}${seeding ? `; ${seeding.seeded.length} recorded entit${seeding.seeded.length === 1 ? "y" : "ies"} seeded into the state (their reads and writes act on them)${seeding.skipped.length > 0 ? `, ${seeding.skipped.length} not (e.g. ${seeding.skipped[0]!.recording.operation}: ${seeding.skipped[0]!.reason})` : ""}` : ""}.\n`);
  let stopping = false;
  // close() resolves within the drain deadline whatever the clients do; a second signal (Ctrl-C
  // reaches both npm and the server, and npm forwards it) changes nothing.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    io.out(`${signal}: finishing in-flight requests (at most ${drainMs / 1000} s) and closing ${running.url}\n`);
    // The store closes after the last request in flight has been answered.
    running.close().then(() => state?.close()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  return 0;
}
