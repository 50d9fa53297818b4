import type { NextFunction, Request, Response } from "express";
import { toCappedText } from "../../protocol/capped-text.js";
import { toJsonText } from "../../protocol/json-wire.js";
import { InexactNumber } from "../../protocol/to-exact-number.js";
import type { StateService } from "../state/create-state.js";
import type { MockOptions } from "../options.js";
import { readBody } from "../read-body.js";
import { readJson } from "../read-json.js";

/** The admin API's bodies are small: a tenant, an action's input, a clock setting. */
const ADMIN_BODY_LIMIT = 256 * 1024;

/** An admin request refused: its status and the `{error}` it answers. */
export class AdminError extends Error {
  override name = "AdminError";
  constructor(
    readonly status: 400 | 404 | 409 | 503,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Sends a value as JSON (19-digit ids as exact integers). */
export function sendJson(res: Response, status: number, value: unknown): void {
  res.status(status).type("application/json").send(toJsonText(value));
}

/**
 * Runs a route's handler: its [status, value] is answered as JSON; an AdminError becomes its
 * `{error}` answer (with its extra members), anything else a 500 that says no more than that (logged).
 */
export function toAdminHandler(log: MockOptions["log"], handle: (req: Request) => Promise<[number, unknown]>) {
  return (req: Request, res: Response): void => {
    handle(req).then(
      ([status, value]) => sendJson(res, status, value),
      (error: unknown) => {
        if (error instanceof AdminError) return sendJson(res, error.status, { error: error.message, ...error.extra });
        sendAdminFault(log, req, res, error);
      },
    );
  };
}

/** toAdminHandler for a route of the stateful mock: a stateless one answers 404, saying why. */
export function toHandler(options: MockOptions, handle: (req: Request, state: StateService) => Promise<[number, unknown]>) {
  return toAdminHandler(options.log, async (req) => {
    const state = options.state;
    if (!state) throw new AdminError(404, `${req.method} ${toCappedText(req.path)}: the mock runs stateless (serve --stateless), so it keeps no entities and no clock; start it without --stateless.`);
    return handle(req, state);
  });
}

/** A fault of the mock's own: logged with its stack, answered 500 with `{error}` that says no more than that. */
export function sendAdminFault(log: MockOptions["log"], req: Request, res: Response, error: unknown): void {
  log?.(`mock admin fault on ${req.method} ${toCappedText(req.path)}: ${(error as Error)?.stack ?? String(error)}`);
  if (res.headersSent) return void res.end();
  sendJson(res, 500, { error: "The mock failed to answer this request; see the server log." });
}

/**
 * What express's router raises before any route runs, as `{error}`: a path segment with a malformed
 * percent-escape (a URIError, 400). Anything else is a fault (500, logged).
 */
export function answerRouterError(log: MockOptions["log"]) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof URIError) {
      sendJson(res, 400, { error: `Failed to read the path of ${req.method} ${toCappedText(req.path)}: a segment holds a malformed percent-escape (% and two hex digits, of UTF-8 bytes).` });
      return;
    }
    sendAdminFault(log, req, res, error);
  };
}

/** The request's body as JSON (undefined when empty), or a 400 saying why it cannot be read. */
export async function readAdminJson(req: Request, limit: number = ADMIN_BODY_LIMIT): Promise<unknown> {
  const reading = await readBody(req, limit);
  if (!reading.ok) throw new AdminError(400, `Failed to read the body of ${req.method} ${toCappedText(req.path)}: ${reading.problem.kind === "too-large" ? `over ${limit} bytes` : reading.problem.kind === "unsupported-encoding" ? `Content-Encoding ${reading.problem.encoding}` : reading.problem.reason}.`);
  const text = reading.body.toString("utf8").trim();
  if (text === "") return undefined;
  const json = readJson(text);
  if (!json.ok) throw new AdminError(400, `Failed to read the body of ${req.method} ${toCappedText(req.path)}: it is not JSON (${json.reason}).`);
  return json.value;
}

/** The request's JSON object body ({} when empty), or a 400. */
export async function readAdminBody(req: Request): Promise<Record<string, unknown>> {
  const value = await readAdminJson(req);
  if (value === undefined) return {};
  // A number the double loses (1e-400, 0.99999999999999999) is read as an InexactNumber: an object, but no JSON object.
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof InexactNumber) {
    throw new AdminError(400, `The body of ${req.method} ${toCappedText(req.path)} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** The tenant named in the body or the query, else the first configured PandaPon access-key. */
export function readTenant(options: MockOptions, req: Request, body: Record<string, unknown> = {}): string {
  const named = body.tenant ?? req.query.tenant;
  if (named === undefined) return options.pandapon.keys[0]!.accessKey;
  if (typeof named !== "string" || named === "") throw new AdminError(400, `tenant must be a non-empty text (a PandaPon access-key or TOP app_key; default: the first configured access-key), not ${toJsonText(named)?.slice(0, 80)}.`);
  return named;
}
