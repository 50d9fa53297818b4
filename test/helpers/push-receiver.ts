import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createCallbackMiddleware } from "../../receiver/callback-middleware.js";
import type { CallbackMessage } from "../../receiver/callback-message.js";

export interface ReceivedPush {
  message: CallbackMessage;
  authorization: string | undefined;
}

/**
 * A real HTTP receiver on 127.0.0.1: the project's createCallbackMiddleware (signature, JSON and
 * per-messageType schema checks) before `behave`, which may answer otherwise (an error, late).
 * Refused pushes are kept too, so a test sees what the middleware rejected.
 */
export async function startPushReceiver(options: { secret: string; now: () => number; behave?: (count: number) => Promise<number | undefined> | number | undefined }) {
  const received: ReceivedPush[] = [];
  const rejected: string[] = [];
  let hits = 0;
  const app = express();
  app.post(
    "/callback",
    async (_req, res, next) => {
      hits++;
      const status = await options.behave?.(hits);
      if (status === undefined) return next();
      res.status(status).json({ ok: status === 200 });
    },
    createCallbackMiddleware({
      secret: options.secret,
      now: options.now,
      handler: (message, req) => {
        received.push({ message, authorization: req.get("authorization") });
      },
      onRejected: (failure) => rejected.push(`${failure.code}: ${failure.reason}`),
    }),
  );
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    url,
    received,
    rejected,
    hits: () => hits,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
