import express from "express";
import type { Request, RequestHandler, Response } from "express";
import { getCatalog } from "../schemas/catalog.js";
import type { CallbackMessage } from "./callback-message.js";
import type { CallbackVerification, VerifyCallbackInput } from "./verify-callback.js";
import { describeThrown } from "./describe-thrown.js";
import { verifyCallback } from "./verify-callback.js";

export type CallbackFailure = Extract<CallbackVerification, { ok: false }>;

export interface CallbackMiddlewareOptions
  extends Pick<VerifyCallbackInput, "secret" | "maxAgeMs" | "maxAheadMs" | "hexCase" | "catalog" | "parseJson"> {
  /**
   * Called once per verified message; 200 is answered when it resolves. The platform wants 200
   * within 1000 ms, so keep it short (store or enqueue the message, process it later). A throw or
   * rejection goes to express's error handling (500), and the platform retries after 30 minutes.
   * A handler that answers itself through `req.res` keeps its answer.
   */
  handler: (message: CallbackMessage, req: Request) => unknown;
  /** Raw body size limit (express.raw syntax); default `1mb`. */
  limit?: string | number;
  /** The clock, epoch ms; defaults to `Date.now`. */
  now?: () => number;
  /** Told about every refused push, e.g. to log it (the reason never contains the secret). A throw goes to express's error handling (500). */
  onRejected?: (failure: CallbackFailure, req: Request) => void;
}

function reject(res: Response, failure: { status: number; code: string; reason: string }): void {
  res.status(failure.status).json({ ok: false, code: failure.code, reason: failure.reason });
}

/**
 * What was thrown, as an Error for express: `next(null)`, `next(undefined)` or `next("route")` would
 * not be taken for an error at all, and the push would go on to the app's next route.
 */
function toError(failure: unknown): Error {
  if (failure instanceof Error) return failure;
  return new Error(`Failed to handle the PandaPon push: a callback threw ${describeThrown(failure)}, not an Error.`, { cause: failure });
}

/** The raw body bytes, or undefined when an earlier body parser has already consumed them. */
function readRawBody(req: Request): Buffer | undefined {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (req.body === undefined) return Buffer.alloc(0);
  return undefined;
}

/**
 * An express handler for PandaPon message pushes: reads the raw body, verifies the Authorization
 * HMAC, the JSON, the message's age and schema, then calls `handler(message, req)` and answers 200.
 * Refused pushes get 401 (authorization, signature, stale) or 400 (JSON, message) with the reason;
 * a body that cannot be read 400 (cut short, not in its Content-Encoding), 413 (over `limit`) or 415
 * (a Content-Encoding other than gzip, deflate, br and identity). A throw of `handler`, `onRejected`
 * or `now` goes to express's error handling (500).
 * Mount it before any JSON body parser: `app.post("/pandapon/callback", createCallbackMiddleware(…))`.
 */
export function createCallbackMiddleware(options: CallbackMiddlewareOptions): RequestHandler {
  if (!options.secret) throw new Error("Failed to create the callback middleware: the AccessSecret is empty.");
  // Load the schemas now, not on the first push, which must be answered within 1000 ms.
  const catalog = options.catalog ?? getCatalog();
  const parseRaw = express.raw({ type: () => true, limit: options.limit ?? "1mb" });
  const now = options.now ?? Date.now;

  const verify = async (req: Request, res: Response): Promise<void> => {
    const rawBody = readRawBody(req);
    if (!rawBody) {
      throw new Error("Failed to verify the PandaPon push: the body was already parsed; mount the callback middleware before express.json().");
    }
    const result = verifyCallback({ ...options, catalog, rawBody, authorization: req.get("authorization"), now: now() });
    if (!result.ok) {
      options.onRejected?.(result, req);
      reject(res, result);
      return;
    }
    await options.handler(result.message, req);
    // A handler that answered itself (through req.res) keeps its answer.
    if (!res.headersSent) res.status(200).json({ ok: true });
  };

  return (req, res, next) => {
    parseRaw(req, res, (error?: unknown) => {
      if (error) {
        const status = (error as { status?: number }).status ?? 400;
        reject(res, { status, code: "unreadable-body", reason: `the body could not be read: ${(error as Error).message}` });
        return;
      }
      // Whatever the handler, onRejected or now throws goes to express's error handling (500):
      // never an unhandled rejection, which ends the app's process, nor a push left unanswered.
      verify(req, res).catch((failure: unknown) => next(toError(failure)));
    });
  };
}
