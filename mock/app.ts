import type { Express, NextFunction, Request, Response } from "express";
import express from "express";
import type { Catalog } from "../schemas/catalog.js";
import type { MockCore } from "./create-core.js";
import { createCore } from "./create-core.js";
import type { MockRequest, MockResponse } from "./exchange.js";
import type { DeepPartial, MockOptions } from "./options.js";
import { toMockOptions } from "./options.js";
import { handlePandapon, toPandaponError } from "./pandapon/handle-pandapon.js";
import { handleTop, toTopError } from "./top/handle-top.js";

const TOP_PATH = "/router/rest";

/** Builds the mock's express app; never listens (see start-server.ts). */
export function createApp(options: DeepPartial<MockOptions> = {}, catalog?: Catalog): Express {
  const core = createCore(toMockOptions(options), catalog);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.locals.core = core;

  app.get("/__mock/health", (_req, res) => {
    res.json({ status: "ok", operations: core.catalog.operations.length });
  });
  app.get("/__mock/journal", (_req, res) => {
    res.json({ entries: core.readJournal().map((e) => ({ ...e, at: new Date(e.at).toISOString() })) });
  });
  app.get("/__mock/operations", (_req, res) => {
    res.json({ operations: core.catalog.operations.map(({ meta }) => ({ name: meta.name, api: meta.api, method: meta.method, path: meta.path, coverage: meta.coverage })) });
  });

  app.use(express.raw({ type: () => true, limit: core.options.bodyLimitBytes }));
  app.use((req: Request, res: Response) => {
    const request = toMockRequest(req);
    send(res, request.path === TOP_PATH ? handleTop(core, request) : handlePandapon(core, request));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    send(res, toProtocolError(core, req, error));
  });
  return app;
}

/** The core of an app made by createApp (for tests and the benchmark). */
export function getCore(app: Express): MockCore {
  return app.locals.core as MockCore;
}

function toMockRequest(req: Request): MockRequest {
  const url = req.url;
  const mark = url.indexOf("?");
  return {
    method: req.method,
    path: mark < 0 ? url : url.slice(0, mark),
    query: mark < 0 ? "" : url.slice(mark + 1),
    headers: req.headers as Record<string, string | undefined>,
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  };
}

function send(res: Response, answer: MockResponse): void {
  res.writeHead(answer.status, { "content-type": answer.contentType, "content-length": Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/** Body-reading failures (too large, bad encoding) and any fault, in the protocol's own error shape. */
function toProtocolError(core: MockCore, req: Request, error: unknown): MockResponse {
  const raw = error as { type?: string; status?: number; statusCode?: number; message?: string };
  // Body-reading failures carry a 4xx status (too large, bad encoding, undecodable gzip): the caller's fault.
  const status = raw.status ?? raw.statusCode;
  const e = { ...raw, type: raw.type ?? (status !== undefined && status < 500 ? "body.unreadable" : undefined) };
  const isTop = req.path === TOP_PATH;
  const tooLarge = e.type === "entity.too.large";
  const badEncoding = e.type === "encoding.unsupported" || e.type === "charset.unsupported";
  const reason = tooLarge
    ? `Request body too large: the limit is ${core.options.bodyLimitBytes} bytes.`
    : badEncoding
      ? `Unsupported body encoding: ${String(e.message).slice(0, 120)}.`
      : e.type
        ? `Could not read the request body: ${String(e.message).slice(0, 120)}.`
        : "The mock failed to answer this request; see the server log.";
  if (!e.type) core.options.log?.(`mock fault on ${req.method} ${req.path}: ${(error as Error)?.stack ?? String(error)}`);
  if (isTop) {
    const format = /[?&]format=json(&|$)/.test(req.url) ? "json" : "xml";
    return e.type
      ? toTopError(core, format, "0mock", "-", { error: "INVALID_ARGUMENTS", subCode: "isv.invalid-parameter", subMsg: reason })
      : toTopError(core, format, "0mock", "-", { error: "REMOTE_SERVICE_ERROR", subCode: "isp.unknown-error", subMsg: reason });
  }
  const name = tooLarge ? "BODY_TOO_LARGE" : badEncoding ? "UNSUPPORTED_MEDIA_TYPE" : e.type ? "BAD_JSON" : "SERVER_ERROR";
  return toPandaponError(core, name, `${req.method} ${req.path}`, reason);
}
