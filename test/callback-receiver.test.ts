import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { isSafeNumber, parse } from "lossless-json";
import request from "supertest";
import { describe, expect, it } from "vitest";
import type { CallbackMessage, CallbackMiddlewareOptions } from "../receiver/index.js";
import { DEFAULT_MAX_PUSH_AGE_MS, createCallbackMiddleware, parsePushTimestamp, verifyCallback } from "../receiver/index.js";
import { signCallback } from "../signing/index.js";

const SECRET = "callback-secret-7f3a";
const NOW = Date.UTC(2024, 4, 14, 6, 59, 37); // 2024-05-14 14:59:37 GMT+8
const PRICE_MODIFY = {
  messageType: "TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY",
  messageBody: { salesOrderId: "4012345678901234567", subOrders: [{ purchase_order_outer_id: "1", quantity: 2 }] },
  messagePlatform: 0,
  timestamp: "2024-05-14 14:58:00",
};

/** A real express app listening on 127.0.0.1 (ephemeral port), and what its handler received. */
async function setup(options: Partial<CallbackMiddlewareOptions> = {}, before?: express.RequestHandler, after?: express.RequestHandler) {
  const received: Array<{ message: CallbackMessage; path: string }> = [];
  const app = express();
  if (before) app.use(before);
  app.post(
    "/pandapon/callback",
    createCallbackMiddleware({
      secret: SECRET,
      now: () => NOW,
      handler: (message, req) => {
        received.push({ message, path: req.path });
      },
      ...options,
    }),
  );
  if (after) app.post("/pandapon/callback", after);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const push = (body: string, authorization?: string) => {
    const r = request(`http://127.0.0.1:${port}`).post("/pandapon/callback").set("Content-Type", "application/json");
    return (authorization === undefined ? r : r.set("Authorization", authorization)).send(body);
  };
  const close = () => new Promise((resolve) => server.close(resolve));
  return { received, push, close };
}

async function withApp<T>(options: Partial<CallbackMiddlewareOptions>, test: (app: Awaited<ReturnType<typeof setup>>) => Promise<T>, before?: express.RequestHandler, after?: express.RequestHandler) {
  const app = await setup(options, before, after);
  try {
    return await test(app);
  } finally {
    await app.close();
  }
}

describe("createCallbackMiddleware on a real express app", () => {
  it("answers 200 to a good push and hands the handler the typed message", () =>
    withApp({}, async ({ push, received }) => {
      const body = JSON.stringify(PRICE_MODIFY);
      const res = await push(body, signCallback(body, SECRET));
      expect(res.status).toBe(200);
      expect(received).toHaveLength(1);
      expect(received[0]!.message).toEqual(PRICE_MODIFY);
      expect(received[0]!.message.messageBody.salesOrderId).toBe("4012345678901234567");
      expect(received[0]!.path).toBe("/pandapon/callback");
    }));

  it("answers 401 to a tampered body, a wrong secret and a missing Authorization, and skips the handler", () =>
    withApp({}, async ({ push, received }) => {
      const body = JSON.stringify(PRICE_MODIFY);
      const tampered = await push(body.replace("4012345678901234567", "4012345678901234568"), signCallback(body, SECRET));
      expect(tampered.status).toBe(401);
      expect(tampered.body).toMatchObject({ code: "bad-signature", reason: expect.stringContaining("HMAC-SHA256") });
      const wrongSecret = await push(body, signCallback(body, "another-secret"));
      expect(wrongSecret.status).toBe(401);
      expect(wrongSecret.body.code).toBe("bad-signature");
      const missing = await push(body);
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ code: "missing-authorization", reason: "the Authorization header is missing" });
      expect(received).toEqual([]);
      expect(JSON.stringify([tampered.body, wrongSecret.body, missing.body])).not.toContain(SECRET);
    }));

  it("answers 401 to a push older than the retry span, saying how old it is", () =>
    withApp({}, async ({ push, received }) => {
      const stale = JSON.stringify({ ...PRICE_MODIFY, timestamp: "2024-05-14 11:58:00" });
      const res = await push(stale, signCallback(stale, SECRET));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: "stale", reason: expect.stringContaining("182 min old") });
      expect(received).toEqual([]);
    }));

  it("answers 400 to signed malformed JSON and to a message that breaks its schema", () =>
    withApp({}, async ({ push }) => {
      const broken = '{"messageType": "TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY",';
      const res = await push(broken, signCallback(broken, SECRET));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "malformed-json", reason: expect.stringContaining("not JSON") });

      const wrongType = JSON.stringify({ ...PRICE_MODIFY, messageBody: { salesOrderId: 4012345678 } });
      const invalid = await push(wrongType, signCallback(wrongType, SECRET));
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ code: "invalid-message", reason: expect.stringContaining("messageBody.salesOrderId must be string") });

      const noType = JSON.stringify({ messageBody: {}, messagePlatform: 3 });
      const shapeless = await push(noType, signCallback(noType, SECRET));
      expect(shapeless.status).toBe(400);
      expect(shapeless.body.reason).toContain("messageType must be a non-empty string; messagePlatform must be 0 (Taobao) or 1 (1688)");
    }));

  it("passes a handler failure to express (500), so the platform retries", () =>
    withApp(
      {
        handler: async () => {
          throw new Error("database down");
        },
      },
      async ({ push }) => {
        const body = JSON.stringify(PRICE_MODIFY);
        expect((await push(body, signCallback(body, SECRET))).status).toBe(500);
      },
    ));

  it("passes what the integrator's callbacks throw to express (500): now, onRejected, a handler throwing no Error; the process lives on", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const body = JSON.stringify(PRICE_MODIFY);
    try {
      const cases: Array<[Partial<CallbackMiddlewareOptions>, string | undefined]> = [
        [{ now: () => { throw new Error("clock down"); } }, signCallback(body, SECRET)],
        [{ onRejected: () => { throw new Error("log down"); } }, undefined],
        [{ handler: () => { throw null; } }, signCallback(body, SECRET)],
        // "route" would make express skip to the app's next route.
        [{ handler: async () => { throw "route"; } }, signCallback(body, SECRET)],
      ];
      for (const [options, authorization] of cases) {
        const nextRoute = (_req: express.Request, res: express.Response) => {
          res.status(299).end();
        };
        await withApp(options, async ({ push }) => {
          const res = await push(body, authorization);
          expect(res.status).toBe(500);
        }, undefined, nextRoute);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("keeps the answer of a handler that answered itself (req.res), without throwing on a second answer", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await withApp({ handler: (_message, req) => void req.res!.status(202).json({ queued: true }) }, async ({ push }) => {
        const body = JSON.stringify(PRICE_MODIFY);
        const res = await push(body, signCallback(body, SECRET));
        expect([res.status, res.body]).toEqual([202, { queued: true }]);
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("fails loudly (500) when mounted after express.json(), which consumed the raw bytes", () =>
    withApp(
      {},
      async ({ push, received }) => {
        const body = JSON.stringify(PRICE_MODIFY);
        expect((await push(body, signCallback(body, SECRET))).status).toBe(500);
        expect(received).toEqual([]);
      },
      express.json(),
    ));

  it("answers 413 to a body over the limit", () =>
    withApp({ limit: 100 }, async ({ push }) => {
      const body = JSON.stringify({ ...PRICE_MODIFY, pad: "x".repeat(200) });
      const res = await push(body, signCallback(body, SECRET));
      expect(res.status).toBe(413);
      expect(res.body.code).toBe("unreadable-body");
    }));
});

describe("verifyCallback", () => {
  const check = (message: unknown, options: Partial<Parameters<typeof verifyCallback>[0]> = {}) => {
    const rawBody = typeof message === "string" ? message : JSON.stringify(message);
    return verifyCallback({ rawBody, authorization: signCallback(rawBody, SECRET), secret: SECRET, now: NOW, ...options });
  };

  it("accepts either hex case by default and only the configured one when told", () => {
    const body = JSON.stringify(PRICE_MODIFY);
    const lower = signCallback(body, SECRET, "lower");
    expect(verifyCallback({ rawBody: body, authorization: lower, secret: SECRET, now: NOW }).ok).toBe(true);
    expect(verifyCallback({ rawBody: body, authorization: lower, secret: SECRET, now: NOW, hexCase: "upper" })).toMatchObject({ ok: false, status: 401, code: "bad-signature" });
    expect(verifyCallback({ rawBody: Buffer.from(body), authorization: lower, secret: SECRET, now: NOW, hexCase: "lower" }).ok).toBe(true);
  });

  it("takes the signature only in hex digits: a character that upper-cases to them (ﬀ → FF) is refused", () => {
    const body = Array.from({ length: 100 }, (_, i) => JSON.stringify({ ...PRICE_MODIFY, n: i })).find((text) => signCallback(text, SECRET).includes("FF"))!;
    const respelt = signCallback(body, SECRET).replace("FF", "\ufb00");
    expect(respelt.toUpperCase()).toBe(signCallback(body, SECRET));
    expect(verifyCallback({ rawBody: body, authorization: respelt, secret: SECRET, now: NOW })).toMatchObject({ ok: false, status: 401, code: "bad-signature" });
    expect(verifyCallback({ rawBody: body, authorization: respelt.replace("\ufb00", "ff"), secret: SECRET, now: NOW }).ok).toBe(true);
  });

  it("reads the push timestamp as epoch ms, epoch s or yyyy-MM-dd HH:mm:ss GMT+8", () => {
    expect(parsePushTimestamp("2024-05-14 14:59:37")).toBe(NOW);
    expect(parsePushTimestamp(NOW)).toBe(NOW);
    expect(parsePushTimestamp(String(NOW))).toBe(NOW);
    expect(parsePushTimestamp(String(NOW / 1000))).toBe(NOW);
    expect(parsePushTimestamp("2024-05-14T14:59:37Z")).toBeUndefined();
    expect(parsePushTimestamp(1.5)).toBeUndefined();
  });

  it("keeps the age limit at the retry span (5 × 30 min) plus slack, and makes it configurable", () => {
    expect(DEFAULT_MAX_PUSH_AGE_MS).toBe(3 * 3600_000);
    const lastRetry = { ...PRICE_MODIFY, messageType: "ORDER_X", timestamp: NOW - 150 * 60_000 };
    expect(check(lastRetry).ok).toBe(true);
    expect(check(lastRetry, { maxAgeMs: 60 * 60_000 })).toMatchObject({ ok: false, status: 401, code: "stale" });
    expect(check({ ...lastRetry, timestamp: NOW - 86_400_000 }, { maxAgeMs: Infinity }).ok).toBe(true);
    expect(check({ ...lastRetry, timestamp: NOW + 11 * 60_000 })).toMatchObject({ ok: false, code: "stale", reason: expect.stringContaining("ahead") });
    expect(check({ ...lastRetry, timestamp: "yesterday" })).toMatchObject({ ok: false, status: 400, code: "invalid-message" });
    expect(check({ ...lastRetry, timestamp: null }).ok).toBe(true);
  });

  it("repeats at most 200 characters of a timestamp it cannot read", () => {
    const long = "x".repeat(100_000);
    const result = check({ messageType: "ORDER_X", messageBody: {}, timestamp: long });
    expect(result).toMatchObject({ ok: false, status: 400, code: "invalid-message" });
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain(`timestamp "${"x".repeat(199)}…(99802 more characters) is neither epoch milliseconds`);
    expect(reason.length).toBeLessThan(400);
  });

  it("validates an unknown messageType against the generic shape only", () => {
    const result = check({ messageType: "1688_ORDER_STATUS_CHANGE", messageBody: { orderId: 1 }, messagePlatform: 1, timestamp: String(NOW), extra: true });
    expect(result).toMatchObject({ ok: true, message: { messageType: "1688_ORDER_STATUS_CHANGE", extra: true } });
    expect(check({ messageType: "X", messageBody: "text" })).toMatchObject({ ok: false, reason: expect.stringContaining("messageBody must be an object") });
    expect(check([1])).toMatchObject({ ok: false, status: 400, code: "invalid-message" });
  });

  it("uses the catalog's schema for a known messageType, with violations as data", () => {
    const catalog = {
      find: (name: string) =>
        name === "STUB_TYPE"
          ? ({ meta: { api: "callback" }, checkResponse: () => [{ path: "messageBody.x", rule: "required", message: "is required", severity: "error" }] } as never)
          : undefined,
    };
    const result = check({ messageType: "STUB_TYPE", messageBody: {}, timestamp: null }, { catalog });
    expect(result).toMatchObject({ ok: false, status: 400, code: "invalid-message", violations: [{ path: "messageBody.x" }] });
    expect(check({ messageType: "OTHER", messageBody: {} }, { catalog }).ok).toBe(true);
  });

  it("reads a JSON parser's throw of anything as malformed JSON", () => {
    expect(check(PRICE_MODIFY, { parseJson: () => { throw null; } })).toMatchObject({ ok: false, status: 400, code: "malformed-json", reason: "the body is not JSON: null" });
    expect(check(PRICE_MODIFY, { parseJson: () => { throw "bad"; } })).toMatchObject({ ok: false, code: "malformed-json", reason: 'the body is not JSON: "bad"' });
  });

  it("lets a lossless parser keep 19-digit ids", () => {
    const raw = '{"messageType":"ORDER_X","messageBody":{"orderId":4012345678901234567},"messagePlatform":1}';
    const plain = check(raw);
    expect(plain.ok && String(plain.message.messageBody.orderId)).toBe("4012345678901234700");
    const lossless = check(raw, { parseJson: (text) => parse(text, null, (n) => (isSafeNumber(n) ? Number(n) : BigInt(n))) });
    expect(lossless.ok && lossless.message.messageBody.orderId).toBe(4012345678901234567n);
  });
});
