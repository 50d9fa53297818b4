import type { Request, Response } from "express";
import { toJsonText } from "../../protocol/json-wire.js";
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

/** Runs a route's handler; an AdminError becomes its `{error}` answer, anything else a 500 that says no more than that. */
export function toHandler(options: MockOptions, handle: (req: Request, state: StateService) => Promise<[number, unknown]>) {
  return (req: Request, res: Response): void => {
    const state = options.state;
    if (!state) {
      sendJson(res, 404, { error: `${req.method} ${req.path}: the mock runs stateless (serve --stateless), so it keeps no entities and no clock; start it without --stateless.` });
      return;
    }
    handle(req, state).then(
      ([status, value]) => sendJson(res, status, value),
      (error: unknown) => {
        if (error instanceof AdminError) return sendJson(res, error.status, { error: error.message, ...error.extra });
        options.log?.(`mock admin fault on ${req.method} ${req.path}: ${(error as Error)?.stack ?? String(error)}`);
        sendJson(res, 500, { error: "The mock failed to answer this request; see the server log." });
      },
    );
  };
}

/** The request's JSON object body ({} when empty), or a 400. */
export async function readAdminBody(req: Request): Promise<Record<string, unknown>> {
  const reading = await readBody(req, ADMIN_BODY_LIMIT);
  if (!reading.ok) throw new AdminError(400, `Failed to read the body of ${req.method} ${req.path}: ${reading.problem.kind === "too-large" ? `over ${ADMIN_BODY_LIMIT} bytes` : reading.problem.kind === "unsupported-encoding" ? `Content-Encoding ${reading.problem.encoding}` : reading.problem.reason}.`);
  const text = reading.body.toString("utf8").trim();
  if (text === "") return {};
  const json = readJson(text);
  if (!json.ok) throw new AdminError(400, `Failed to read the body of ${req.method} ${req.path}: it is not JSON (${json.reason}).`);
  if (json.value === null || typeof json.value !== "object" || Array.isArray(json.value)) throw new AdminError(400, `The body of ${req.method} ${req.path} must be a JSON object.`);
  return json.value as Record<string, unknown>;
}

/** The tenant named in the body or the query, else the first configured PandaPon access-key. */
export function readTenant(options: MockOptions, req: Request, body: Record<string, unknown> = {}): string {
  const named = body.tenant ?? req.query.tenant;
  if (named === undefined) return options.pandapon.keys[0]!.accessKey;
  if (typeof named !== "string" || named === "") throw new AdminError(400, `tenant must be a non-empty text (a PandaPon access-key or TOP app_key; default: the first configured access-key), not ${toJsonText(named)?.slice(0, 80)}.`);
  return named;
}
