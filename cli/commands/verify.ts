import type { Command } from "commander";
import { createProducer } from "../../mock/generate/create-producer.js";
import { toJsonText } from "../../protocol/json-wire.js";
import { parseLossless } from "../../protocol/parse-lossless.js";
import { createPandaponClient } from "../../client/create-pandapon-client.js";
import { createTopClient } from "../../client/create-top-client.js";
import { toConsoleDetails, toConsoleLine, toConsoleSummary } from "../../verify/report-console.js";
import { reportJson } from "../../verify/report-json.js";
import { reportJunit } from "../../verify/report-junit.js";
import type { ContractClient, ContractRun } from "../../verify/run-contracts.js";
import { runContracts, selectOperations } from "../../verify/run-contracts.js";
import { maskUrl } from "../../checks/mask-secrets.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../../protocol/demo.js";
import type { Catalog, Operation } from "../../schemas/catalog.js";
import { getCatalog } from "../../schemas/catalog.js";
import { isTopSignMethod } from "../../signing/top-sign.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction, writeOutputFile } from "../command-io.js";
import { readIntegerOption } from "../read-integer-option.js";
import { DEFAULT_MOCK_URL, readMockUrl } from "../read-mock-url.js";
import { SCHEME_OPTION_HELP, readSchemeOption } from "../read-scheme-option.js";

export interface VerifyOptions {
  baseUrl?: string;
  topGateway?: string;
  only?: string[];
  fixtures?: string;
  junit?: string;
  json?: string;
  accessKey?: string;
  secret?: string;
  userId?: string;
  appKey?: string;
  topSecret?: string;
  topSession?: string;
  signMethod?: string;
  format?: string;
  scheme?: string;
  nonce?: boolean;
  demo?: boolean;
  timeout?: string;
  retries?: string;
  strict?: boolean;
  generatedRequests?: boolean;
}

interface Credentials<T> {
  values?: T;
  /** Why the API's operations are skipped. */
  missing?: string;
  /** Where the values came from, never the values: `given`, `demo`, or per value when mixed. */
  from: string;
}

const SOURCES = ["given", "demo", "missing"] as const;
type Source = (typeof SOURCES)[number];

/** A value from the flag, else the environment, else (with --demo) the demo credentials; with its source. */
function pickCredential(flag: string | undefined, env: string | undefined, demo: string | undefined): [string | undefined, Source] {
  const given = flag ?? env;
  if (given) return [given, "given"];
  return demo ? [demo, "demo"] : [undefined, "missing"];
}

/** `given`, `demo` or `missing` when all agree, else e.g. `secret given, access-key and user-id demo`. */
function toSourceText(sources: Array<[string, Source]>): string {
  const kinds = SOURCES.filter((kind) => sources.some(([, source]) => source === kind));
  if (kinds.length === 1) return kinds[0]!;
  return kinds.map((kind) => `${sources.filter(([, s]) => s === kind).map(([name]) => name).join(" and ")} ${kind}`).join(", ");
}

function readPandaponCredentials(options: VerifyOptions, env: CommandIo["env"]): Credentials<{ accessKey: string; secret: string; userId: string }> {
  const demo = options.demo ? DEMO_PANDAPON : undefined;
  const [accessKey, keyFrom] = pickCredential(options.accessKey, env.PANDAPON_ACCESS_KEY, demo?.accessKey);
  const [secret, secretFrom] = pickCredential(options.secret, env.PANDAPON_SECRET, demo?.secret);
  const [userId, userFrom] = pickCredential(options.userId, env.PANDAPON_USER_ID, demo?.userId);
  const from = toSourceText([["access-key", keyFrom], ["secret", secretFrom], ["user-id", userFrom]]);
  if (accessKey && secret && userId) return { values: { accessKey, secret, userId }, from };
  const absent = [!accessKey && "PANDAPON_ACCESS_KEY", !secret && "PANDAPON_SECRET", !userId && "PANDAPON_USER_ID"].filter(Boolean);
  return { missing: `no PandaPon credentials: set ${absent.join(", ")} (or --demo against the mock)`, from };
}

function readTopCredentials(options: VerifyOptions, env: CommandIo["env"]): Credentials<{ appKey: string; secret: string }> {
  const demo = options.demo ? DEMO_TOP : undefined;
  const [appKey, keyFrom] = pickCredential(options.appKey, env.TOP_APP_KEY, demo?.appKey);
  const [secret, secretFrom] = pickCredential(options.topSecret, env.TOP_SECRET, demo?.secret);
  const from = toSourceText([["app key", keyFrom], ["secret", secretFrom]]);
  if (appKey && secret) return { values: { appKey, secret }, from };
  const absent = [!appKey && "TOP_APP_KEY", !secret && "TOP_SECRET"].filter(Boolean);
  return { missing: `no TOP credentials: set ${absent.join(", ")} (or --demo against the mock)`, from };
}

interface Clients {
  createClient: (operation: Operation) => ContractClient | string;
  secrets: Array<string | undefined>;
  /** Where the credentials came from, per API (never the values). */
  from: { pandapon: string; top: string };
}

/** The two signing clients from flags, environment and (with --demo) the mock's demo credentials. */
function createClients(options: VerifyOptions, io: CommandIo, catalog: Catalog, baseUrl: string, topGateway: string): Clients {
  const signMethod = options.signMethod ?? io.env.TOP_SIGN_METHOD ?? "md5";
  if (!isTopSignMethod(signMethod)) throw new InputError(`--sign-method must be md5, hmac or hmac-sha256, not "${signMethod}".`);
  const format = options.format ?? "json";
  if (format !== "json" && format !== "xml") throw new InputError(`--format must be json or xml, not "${format}".`);
  const transport = {
    timeoutMs: readIntegerOption(options.timeout, "--timeout", 10_000),
    retries: readIntegerOption(options.retries, "--retries", 2),
    fetch: io.fetch,
    catalog,
  };
  const scheme = options.scheme === undefined ? undefined : readSchemeOption(options.scheme, io);
  const pandapon = readPandaponCredentials(options, io.env);
  const top = readTopCredentials(options, io.env);
  const session = options.topSession ?? io.env.TOP_SESSION;
  const pandaponClient: ContractClient | string = pandapon.values
    ? createPandaponClient({ ...transport, baseUrl, ...pandapon.values, scheme, sendNonce: options.nonce !== false })
    : pandapon.missing!;
  const topClient: ContractClient | string = top.values
    ? createTopClient({ ...transport, gateway: topGateway, ...top.values, signMethod, format, session })
    : top.missing!;
  return {
    createClient: (operation) => (operation.meta.api === "top" ? topClient : pandaponClient),
    secrets: [pandapon.values?.secret, pandapon.values?.accessKey, top.values?.secret, top.values?.appKey, session],
    from: { pandapon: pandapon.from, top: top.from },
  };
}

/** Generated requests, parsed back losslessly as a fixture file would be (19-digit ids stay exact). */
function toGeneratedRequest(catalog: Catalog): (operation: Operation) => unknown {
  const producer = createProducer(catalog);
  return (operation) => {
    const parsed = parseLossless(toJsonText(producer.produceRequest(operation)));
    return parsed.ok ? parsed.value : {};
  };
}

/** Runs `verify`; returns the exit status (0 nothing failed, 1 failures or nothing verified); bad input throws InputError. */
export async function runVerify(options: VerifyOptions, io: CommandIo, catalog: Catalog = getCatalog()): Promise<number> {
  const baseUrl = options.baseUrl ?? (io.env.PANDAPON_BASE_URL || readMockUrl(io.env));
  const topGateway = options.topGateway ?? io.env.TOP_GATEWAY ?? `${baseUrl.replace(/\/+$/, "")}/router/rest`;
  for (const url of [baseUrl, topGateway]) {
    if (!URL.canParse(url)) throw new InputError(`"${maskUrl(url)}" is not a URL.`);
  }
  try {
    selectOperations(catalog, options.only);
  } catch (error) {
    throw new InputError((error as Error).message, { cause: error });
  }
  const clients = createClients(options, io, catalog, baseUrl, topGateway);
  io.out(`Verifying ${maskUrl(baseUrl)} (TOP gateway ${maskUrl(topGateway)}); credentials: PandaPon ${clients.from.pandapon}, TOP ${clients.from.top}.\n`);
  const run: ContractRun = await runContracts({
    catalog,
    only: options.only,
    fixturesDir: options.fixtures,
    generateRequest: options.generatedRequests ? toGeneratedRequest(catalog) : undefined,
    strict: options.strict,
    secrets: clients.secrets,
    createClient: clients.createClient,
    onResult: (result) => io.out([toConsoleLine(result), ...toConsoleDetails(result)].join("\n") + "\n"),
  });
  io.out(`\n${toConsoleSummary(run)}\n`);
  if (options.json) writeOutputFile(io, options.json, reportJson(run, { baseUrl, topGateway }));
  if (options.junit) writeOutputFile(io, options.junit, reportJunit(run));
  return run.ok ? 0 : 1;
}

export function registerVerify(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "verify", io)
    .description("call each operation on a base URL (the mock, or the real API), check request and answer, report")
    .option("--base-url <url>", `the mock's or the real API's base URL (default: $PANDAPON_BASE_URL, else $PANDAPON_MOCK_URL, else ${DEFAULT_MOCK_URL})`)
    .option("--top-gateway <url>", "TOP gateway (env TOP_GATEWAY); default <base-url>/router/rest")
    .option("--only <operation...>", "only these operations (names or aliases; see `pandapon-mock operations`)")
    .option("--fixtures <dir>", "request payloads to send: <dir>/<schema file name>.json, e.g. alibaba-refund-info.json")
    .option("--junit <file>", "write JUnit XML for CI")
    .option("--json <file>", "write the results as JSON")
    .option("--access-key <key>", "PandaPon access key (prefer env PANDAPON_ACCESS_KEY)")
    .option("--secret <secret>", "PandaPon secret (prefer env PANDAPON_SECRET: flags show in process lists)")
    .option("--user-id <id>", "PandaPon user id (env PANDAPON_USER_ID)")
    .option("--app-key <key>", "TOP app key (prefer env TOP_APP_KEY)")
    .option("--top-secret <secret>", "TOP app secret (prefer env TOP_SECRET)")
    .option("--top-session <session>", "TOP session key, for methods that need one (env TOP_SESSION)")
    .option("--sign-method <method>", "TOP sign_method: md5, hmac or hmac-sha256 (env TOP_SIGN_METHOD; default md5)")
    .option("--format <format>", "TOP answer format: json or xml", "json")
    .option("--scheme <json|file>", `${SCHEME_OPTION_HELP} (default: the default scheme)`)
    .option("--no-nonce", "do not send nonce-str (it is optional in the docs)")
    .option("--demo", "use the mock's demo credentials for whatever the environment and flags do not give")
    .option("--timeout <ms>", "per attempt", "10000")
    .option("--retries <n>", "extra attempts after a network error or timeout (never after an HTTP or API error)", "2")
    .option("--strict", "warnings (drift, precision) fail too")
    .option("--generated-requests", "for operations with neither fixture nor documented example, send a generated realistic request (for the mock: its ids are made up)")
    .addHelpText(
      "after",
      [
        "",
        "Requests: <fixtures>/<stem>.json when present (stem = the operation's schema file name, e.g.",
        "alibaba-refund-info, v2-alibaba-refund-goods-return, taobao-pc-refund-detail), a bare payload or an",
        "examples-format file {direction, payload}; else the first valid request in schemas/examples/<stem>/;",
        "else, with --generated-requests, a generated one (for the mock); else the operation is skipped.",
        "Real calls need real ids: give them with --fixtures.",
        "Where an answer is not documented and its shape assumed (x-assumed, e.g. /alibaba/order/create), data that",
        "differs from it is reported ASSUMED, not failed (also with --strict); JUnit shows it as a skip.",
        "A stateful mock refuses requests an entity's state does not allow (a made-up id names a born entity",
        "in any state): such answers are reported REFUSED, not failed, and their success shape is not checked;",
        "verify a mock started with --stateless to check every success shape. JUnit shows them as skips.",
        "Exit status: 0 nothing failed and something was verified; 1 a failure, an error, or nothing verified;",
        "2 a usage error. Credentials are never printed.",
      ].join("\n"),
    )
    .action((options: VerifyOptions) => runAction(io, () => runVerify(options, io)));
}
