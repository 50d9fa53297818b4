import type { IncomingMessage, ServerResponse } from "node:http";
import type { Catalog } from "../schemas/catalog.js";
import { createAdminApp } from "./admin/create-admin-app.js";
import type { PushService } from "./push/create-push-service.js";
import { createPushService } from "./push/create-push-service.js";
import type { MockCore } from "./create-core.js";
import { createCore } from "./create-core.js";
import type { TimerSweeper } from "./state/create-timer-sweeper.js";
import { createTimerSweeper } from "./state/create-timer-sweeper.js";
import type { MockRequest, MockResponse } from "./exchange.js";
import { JSON_TYPE } from "./exchange.js";
import type { DeepPartial, MockOptions } from "./options.js";
import { toMockOptions } from "./options.js";
import { answerPandaponError } from "./pandapon/answer-pandapon-error.js";
import { handlePandapon } from "./pandapon/handle-pandapon.js";
import type { BodyProblem } from "./read-body.js";
import { readBody } from "./read-body.js";
import { sendFault } from "./control/send-fault.js";
import { answerTopError } from "./top/answer-top-error.js";
import { handleTop } from "./top/handle-top.js";
import { isTopGatewayPath } from "./top/is-top-gateway-path.js";

const ADMIN_PREFIX = "/__mock/";

/** A Node request listener (for http.createServer or supertest) with the core it serves. */
export type MockApp = ((req: IncomingMessage, res: ServerResponse) => void) & { core: MockCore };

/**
 * Builds the mock; never listens (see start-server.ts). The protocol paths go straight from a
 * lean body reader to the core (express's router and body parser cost more than the rest of a
 * cached answer); express serves the mock's own endpoints under /__mock/, behind the admin guard.
 */
export function createApp(options: DeepPartial<MockOptions> = {}, catalog?: Catalog): MockApp {
  const core = createCore(toMockOptions(options), catalog);
  core.timers = startTimers(core.options);
  core.pushes = startPushes(core.options, core.timers);
  // express (a tenth of a cold start to load) is loaded when /__mock/ is first asked for.
  let admin: Promise<(req: IncomingMessage, res: ServerResponse) => void> | undefined;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? "/";
    if (url.startsWith(ADMIN_PREFIX)) {
      admin ??= createAdminApp(core);
      admin.then(
        (app) => app(req, res),
        (error: Error) => {
          core.options.log?.(`mock fault on ${url}: ${error.message}`);
          res.writeHead(503, { "content-type": JSON_TYPE }).end(JSON.stringify({ error: "The mock's own endpoints could not start; see the server log." }));
        },
      );
      return;
    }
    const mark = url.indexOf("?");
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? "" : url.slice(mark + 1);
    void readBody(req, core.options.bodyLimitBytes).then((reading) => {
      const fault = (error: unknown) => answerFault(core, req.method ?? "GET", path, query, error);
      const request: MockRequest = { method: req.method ?? "GET", path, query, headers: req.headers as Record<string, string | undefined>, rawBody: reading.ok ? reading.body : EMPTY };
      let answer: MockResponse | Promise<MockResponse>;
      try {
        if (!reading.ok) {
          answer = answerBodyError(core, req.method ?? "GET", path, query, reading.problem);
        } else {
          answer = isTopGatewayPath(path) ? handleTop(core, request) : handlePandapon(core, request);
        }
      } catch (error) {
        answer = fault(error);
      }
      // Answers that read or write entities come later; the others are sent now (no promise in the pure path).
      if (answer instanceof Promise) void answer.catch(fault).then((later) => deliver(core, req, res, request, later, false));
      else deliver(core, req, res, request, answer, !reading.ok);
    });
  };
  return Object.assign(handle, { core });
}

/** What fires stored entities' timers as the clock passes them (stateful only; runs until the state closes). */
function startTimers(options: MockOptions): TimerSweeper | undefined {
  const state = options.state;
  if (!state) return undefined;
  const timers = createTimerSweeper(state, { pollMs: options.pushes.pollMs, log: options.log });
  state.onClose(() => timers.stop());
  return timers;
}

/** The push service of a stateful mock (its dispatcher runs until the state closes), or undefined. */
function startPushes(options: MockOptions, timers: TimerSweeper | undefined): PushService | undefined {
  if (!options.state || !options.pushes.enabled) return undefined;
  const keys = options.pandapon.keys;
  return createPushService({
    state: options.state,
    secrets: new Map(keys.map((k) => [k.accessKey, k.secret])),
    configuredUrls: new Map(keys.map((k) => [k.accessKey, k.callbackUrls ?? []])),
    messageTypes: options.pushes.messageTypes,
    pollMs: options.pushes.pollMs,
    ...(timers ? { timers } : {}),
    log: options.log,
  });
}

/** The core of an app made by createApp (for tests and the benchmark). */
export function getCore(app: MockApp): MockCore {
  return app.core;
}

const EMPTY = Buffer.alloc(0);

/** Journals the exchange, then sends the answer (after a rule's delay) or does a rule's connection fault. */
function deliver(core: MockCore, req: IncomingMessage, res: ServerResponse, request: MockRequest, answer: MockResponse, closeConnection: boolean): void {
  core.recordExchange(request, answer);
  const go = () => (answer.fault ? sendFault(req, res, answer.fault) : send(res, answer, closeConnection));
  if (!answer.delayMs) return go();
  // A client that gives up while the answer is held is not answered.
  const timer = setTimeout(go, answer.delayMs);
  res.once("close", () => clearTimeout(timer));
}

function send(res: ServerResponse, answer: MockResponse, closeConnection: boolean): void {
  // The body is wire text: one char per byte, copied out as latin1.
  const headers: Record<string, string | number> = { "content-type": answer.contentType, "content-length": answer.body.length };
  // A body left unread (too large, undecodable) must not be taken for the next request.
  if (closeConnection) headers.connection = "close";
  res.writeHead(answer.status, headers);
  res.end(answer.body, "latin1");
}

/** A body that could not be read: journaled and answered in the protocol's own error shape (the caller's fault, never a 5xx). */
function answerBodyError(core: MockCore, method: string, path: string, query: string, problem: BodyProblem): MockResponse {
  const reason =
    problem.kind === "too-large"
      ? `Request body too large: the limit is ${problem.limit} bytes.`
      : problem.kind === "unsupported-encoding"
        ? `Unsupported Content-Encoding "${problem.encoding}": send identity, gzip, deflate or br.`
        : `Could not read the request body: ${problem.reason}.`;
  if (isTopGatewayPath(path)) {
    return answerTopError(core, toTopFormat(query), "0mock", "-", { error: "INVALID_ARGUMENTS", subCode: "isv.invalid-parameter", subMsg: reason });
  }
  const name = problem.kind === "too-large" ? "BODY_TOO_LARGE" : problem.kind === "unsupported-encoding" ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_JSON";
  return answerPandaponError(core, name, `${method} ${path}`, reason);
}

/** A fault of the mock itself: logged, journaled once, and answered in the protocol's shape. */
function answerFault(core: MockCore, method: string, path: string, query: string, error: unknown): MockResponse {
  core.options.log?.(`mock fault on ${method} ${path}: ${(error as Error)?.stack ?? String(error)}`);
  const reason = "The mock failed to answer this request; see the server log.";
  return isTopGatewayPath(path)
    ? answerTopError(core, toTopFormat(query), "0mock", "-", { error: "REMOTE_SERVICE_ERROR", subCode: "isp.unknown-error", subMsg: reason })
    : answerPandaponError(core, "SERVER_ERROR", `${method} ${path}`, reason);
}

function toTopFormat(query: string): "json" | "xml" {
  return /(^|&)format=json(&|$)/.test(query) ? "json" : "xml";
}
