import type { Command } from "commander";
import { buildCurl } from "../../client/build-curl.js";
import { createPandaponHeaders } from "../../client/create-pandapon-headers.js";
import { createTopParams, toFormBody } from "../../client/create-top-params.js";
import { toQuerySigned } from "../../client/to-query-signed.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../../protocol/demo.js";
import type { Operation } from "../../schemas/catalog.js";
import { getCatalog } from "../../schemas/catalog.js";
import { explainSignature } from "../../signing/explain-signature.js";
import { explainTopSignature } from "../../signing/explain-top-signature.js";
import { DEFAULT_SCHEME, SECRET_MASK } from "../../signing/pandapon-scheme.js";
import { isTopSignMethod } from "../../signing/top-sign.js";
import { addDeprecatedAlias } from "../add-deprecated-alias.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, runAction } from "../command-io.js";
import { parseJsonOption } from "../parse-json-option.js";
import { DEFAULT_MOCK_URL, readMockUrl } from "../read-mock-url.js";
import { SCHEME_OPTION_HELP, readSchemeOption } from "../read-scheme-option.js";
import { readTextOption } from "../read-text-option.js";

/** A value from the flag, else the environment, else the demo default; with where it came from. */
export function pickSetting(flag: string | undefined, env: string | undefined, envName: string, fallback: string): [string, string] {
  if (flag !== undefined) return [flag, "the command line"];
  if (env) return [env, envName];
  return [fallback, "the demo credentials"];
}

interface PandaponOptions {
  body?: string;
  method?: string;
  baseUrl?: string;
  accessKey?: string;
  secret?: string;
  userId?: string;
  scheme?: string;
  timestamp?: string;
  nonce?: string | false;
  curl?: boolean;
  explain?: boolean;
}

/** Where `--curl` sends: the flag, else the mock the environment names, else the default port. */
function readBaseUrl(flag: string | undefined, io: CommandIo): string {
  return (flag ?? readMockUrl(io.env)).replace(/\/+$/, "");
}

/** The mock's operation at this path (query string ignored), by the given method or either. */
function findPandaponOperation(path: string, method: string | undefined): Operation | undefined {
  const bare = path.split("?")[0]!;
  for (const m of method ? [method.toUpperCase()] : ["POST", "GET"]) {
    const found = getCatalog().matchRoute(m, bare);
    if (found) return found.operation;
  }
  return undefined;
}

function runSignPandapon(path: string, options: PandaponOptions, io: CommandIo): number {
  if (!path.startsWith("/")) throw new InputError(`Failed to sign "${path}": the path must start with "/", e.g. /alibaba/refund/info.`);
  const [accessKey] = pickSetting(options.accessKey, io.env.PANDAPON_ACCESS_KEY, "PANDAPON_ACCESS_KEY", DEMO_PANDAPON.accessKey);
  const [secret, secretFrom] = pickSetting(options.secret, io.env.PANDAPON_SECRET, "PANDAPON_SECRET", DEMO_PANDAPON.secret);
  const [userId] = pickSetting(options.userId, io.env.PANDAPON_USER_ID, "PANDAPON_USER_ID", DEMO_PANDAPON.userId);
  if (!secret) throw new InputError("Failed to sign: the secret is empty.");
  const scheme = options.scheme === undefined ? DEFAULT_SCHEME : readSchemeOption(options.scheme, io);
  const body = options.body === undefined ? undefined : readTextOption(options.body, io);
  if (body !== undefined) parseJsonOption(body, "--body");
  const operation = findPandaponOperation(path, options.method);
  const method = options.method ?? operation?.meta.method ?? "POST";
  const timestamp = options.timestamp ?? String(io.now());
  const nonce = options.nonce === false ? undefined : (options.nonce ?? io.createNonce());
  const signed = createPandaponHeaders({ accessKey, secret, userId, scheme, timestamp, nonce, body });
  // Warehouse operations take timestamp and sign in the query, as the mock checks them.
  const { headers, query } = operation?.meta.auth === "query-sign" ? toQuerySigned(signed.headers) : { headers: signed.headers, query: undefined };
  const queryText = query && new URLSearchParams(query).toString();

  if (options.curl) {
    const url = readBaseUrl(options.baseUrl, io) + path + (queryText ? (path.includes("?") ? "&" : "?") + queryText : "");
    const sent = body === undefined ? headers : { ...headers, "Content-Type": "application/json" };
    io.out(buildCurl({ method, url, headers: sent, body }) + "\n");
  } else {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    io.out([...lines, ...(queryText ? [`query: ${queryText}`] : [])].join("\n") + "\n");
  }
  if (!operation) io.err(`Note: the mock serves no ${options.method ? method.toUpperCase() + " " : ""}${path.split("?")[0]} (\`pandapon-mock operations\` lists what it serves); signed with the system headers.\n`);
  if (options.explain) {
    const headerValues = { ...signed.headers } as Record<string, string | undefined>;
    delete headerValues.signature;
    const explained = explainSignature(scheme, body ? { headers: headerValues, body } : { headers: headerValues }, secret);
    const where = query ? [`sent as the query parameters timestamp and sign (a warehouse operation), with the ${Object.keys(headers).join(" and ")} header${Object.keys(headers).length > 1 ? "s" : ""}`] : [];
    io.err([`How the signature is computed (secret ${SECRET_MASK} from ${secretFrom}):`, ...[...explained.steps, ...where].map((s) => `  ${s}`)].join("\n") + "\n");
  }
  return 0;
}

interface TopOptions {
  param: string[];
  json?: string;
  appKey?: string;
  topSecret?: string;
  signMethod: string;
  format: string;
  topSession?: string;
  timestamp?: string;
  baseUrl?: string;
  curl?: boolean;
  explain?: boolean;
}

/** The business parameters of a TOP call, from `--json` and then each `--param name=value`. */
function readTopBusinessParams(options: TopOptions, io: CommandIo): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (options.json !== undefined) {
    const parsed = parseJsonOption(readTextOption(options.json, io), "--json");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new InputError('Failed to read --json: it must be an object of parameters, e.g. {"refund_detail_order_req":{…}}.');
    }
    Object.assign(params, parsed);
  }
  for (const pair of options.param) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new InputError(`Failed to read --param "${pair}": write it as name=value.`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}

function runSignTop(method: string, options: TopOptions, io: CommandIo): number {
  if (!isTopSignMethod(options.signMethod)) throw new InputError(`Failed to sign: --sign-method "${options.signMethod}" is not md5, hmac or hmac-sha256.`);
  if (options.format !== "json" && options.format !== "xml") throw new InputError(`Failed to sign: --format "${options.format}" is not json or xml.`);
  const [appKey] = pickSetting(options.appKey, io.env.TOP_APP_KEY, "TOP_APP_KEY", DEMO_TOP.appKey);
  const [secret, secretFrom] = pickSetting(options.topSecret, io.env.TOP_SECRET, "TOP_SECRET", DEMO_TOP.secret);
  if (!secret) throw new InputError("Failed to sign: the secret is empty.");
  const timestamp = options.timestamp === undefined ? io.now() : /^\d+$/.test(options.timestamp) ? Number(options.timestamp) : options.timestamp;
  const params = createTopParams({
    method,
    appKey,
    secret,
    signMethod: options.signMethod,
    format: options.format,
    session: options.topSession,
    timestamp,
    params: readTopBusinessParams(options, io),
  });
  const form = toFormBody(params);
  if (options.curl) {
    const url = readBaseUrl(options.baseUrl, io) + "/router/rest";
    io.out(buildCurl({ method: "POST", url, headers: { "Content-Type": "application/x-www-form-urlencoded;charset=utf-8" }, body: form }) + "\n");
  } else {
    io.out(form + "\n");
  }
  if (options.explain) {
    const explained = explainTopSignature(params, secret, options.signMethod);
    io.err([`How sign is computed (secret ${SECRET_MASK} from ${secretFrom}):`, ...explained.steps.map((s) => `  ${s}`)].join("\n") + "\n");
  }
  return 0;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSign(program: Command, io: CommandIo = PROCESS_IO): void {
  const sign = addCommand(program, "sign", io)
    .description("print signed headers, parameters or a curl command for a PandaPon or TOP request (offline)");

  addCommand(sign, "pandapon", io)
    .description("sign a PandaPon request: prints the system headers (warehouse operations: timestamp and sign in the query), or a curl command with --curl")
    .argument("<path>", "operation path, e.g. /alibaba/refund/info")
    .option("--body <json>", "request body: JSON text, or @file (sent and, if the scheme says so, signed byte for byte)")
    .option("--method <method>", "HTTP method (default: the operation's, else POST)")
    .option("--base-url <url>", `where --curl sends the request (default: $PANDAPON_MOCK_URL, else ${DEFAULT_MOCK_URL})`)
    .option("--access-key <key>", "access-key (default: $PANDAPON_ACCESS_KEY, else the demo key)")
    .option("--secret <secret>", "AccessSecret (default: $PANDAPON_SECRET, else the demo secret); never printed")
    .option("--user-id <id>", "user-id (default: $PANDAPON_USER_ID, else the demo user)")
    .option("--scheme <json|file>", `${SCHEME_OPTION_HELP} (default: pandapon-default)`)
    .option("--timestamp <ms>", "timestamp to send (default: now, epoch milliseconds)")
    .option("--nonce <nonce>", "nonce-str to send (default: 32 random hex characters)")
    .option("--no-nonce", "send no nonce-str header")
    .option("--curl", "print a complete curl command instead of the headers")
    .option("--explain", "show how the signature is computed, step by step, secret masked (on stderr)")
    .action((path: string, options: PandaponOptions) => runAction(io, () => runSignPandapon(path, options, io)));

  const top = addCommand(sign, "top", io)
    .description("sign a TOP gateway call: prints the signed parameters (URL-encoded), or a curl command with --curl")
    .argument("<method>", "API name, e.g. taobao.pc.refund.detail")
    .option("--param <name=value>", "a business parameter (repeatable)", collect, [])
    .option("--json <json>", 'parameters as a JSON object; struct values are sent as JSON text, e.g. {"refund_detail_order_req":{…}}')
    .option("--app-key <key>", "app_key (default: $TOP_APP_KEY, else the demo app key)")
    .option("--top-secret <secret>", "app secret (default: $TOP_SECRET, else the demo secret); never printed")
    .option("--sign-method <method>", "md5, hmac or hmac-sha256", "md5")
    .option("--format <format>", "json or xml", "json")
    .option("--top-session <session>", "session (user authorization), when the API needs one")
    .option("--timestamp <time>", 'timestamp: "yyyy-MM-dd HH:mm:ss" (GMT+8) or epoch ms (default: now)')
    .option("--base-url <url>", `where --curl sends the request, + /router/rest (default: $PANDAPON_MOCK_URL, else ${DEFAULT_MOCK_URL})`)
    .option("--curl", "print a complete curl command instead of the parameters")
    .option("--explain", "show how sign is computed, step by step, secret masked (on stderr)")
    .action((method: string, options: TopOptions) => runAction(io, () => runSignTop(method, options, io)));
  // The TOP options are named as in verify, where PandaPon's --secret sits beside them.
  addDeprecatedAlias(top, "--secret", "--top-secret", io);
  addDeprecatedAlias(top, "--session", "--top-session", io);
}
