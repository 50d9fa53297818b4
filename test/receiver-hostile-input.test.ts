import { Agent, createServer, request as httpRequest } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import express from "express";
import fc from "fast-check";
import { isSafeNumber, parse as parseLosslessJson } from "lossless-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallbackMessage } from "../receiver/index.js";
import { createCallbackMiddleware, verifyCallback } from "../receiver/index.js";
import { signCallback } from "../signing/index.js";
import { jsonText, numberText } from "./helpers/json-text.js";
import { watchProcessFaults } from "./helpers/watch-process-faults.js";

/**
 * The callback middleware mounted in an integrator's express app, on 127.0.0.1, under hostile pushes:
 * bodies, Authorization headers, content types and encodings, sizes, slow and aborted uploads.
 * The app's process must never throw uncaught, every answer must be one the middleware documents,
 * the handler must see only correctly signed, fresh, well-formed messages, and Object.prototype
 * must stay as it was.
 */

const SECRET = "cb-secret-5d2e8a1f9c3b7e40a6";
/** 2025-05-14 12:00:00 GMT+8. */
const NOW = Date.UTC(2025, 4, 14, 4, 0, 0);
const LIMIT = 256 * 1024;
/** A messageType whose handler throws: the one 500 the app may answer (express's error handling). */
const FAILING_TYPE = "HANDLER_FAILS_HERE";
const KNOWN_TYPE = "TAOBAO_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY";
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
/** Longest reason a refusal may give: it repeats at most a capped part of the push. */
const MAX_REASON_LENGTH = 2_000;

function weighted<T>(...choices: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

function expectPrototypeIntact(context: string): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort(), context).toEqual(PROTOTYPE_KEYS);
  expect((({}) as Record<string, unknown>).polluted, context).toBeUndefined();
}

/** Deep equality of two JSON values, without recursion (a message may nest thousands of levels). */
function isSameJson(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (typeof x !== "object" || x === null || typeof y !== "object" || y === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y) || Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(y, key)) return false;
      stack.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

// ── The integrator's app ─────────────────────────────────────────────────────────────────────

interface Receiver {
  url: URL;
  /** Every message the handler was given, in order. */
  received: CallbackMessage[];
  /** Every uncaught exception and unhandled rejection in this process while the app ran. */
  crashes: string[];
  close(): Promise<void>;
}

/** An express app with the middleware on POST /cb (default error handling), and a watch on the process. */
async function startReceiver(options: { handlerDelayMs?: number } = {}): Promise<Receiver> {
  const received: CallbackMessage[] = [];
  const { faults: crashes, stop: stopWatching } = watchProcessFaults();
  const app = express();
  app.post(
    "/cb",
    createCallbackMiddleware({
      secret: SECRET,
      now: () => NOW,
      limit: LIMIT,
      handler: async (message) => {
        received.push(message);
        if (options.handlerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.handlerDelayMs));
        if (message.messageType === FAILING_TYPE) throw new Error("the handler failed");
      },
    }),
  );
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/cb`),
    received,
    crashes,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      stopWatching();
    },
  };
}

interface Push {
  /** A list: the header sent once per value. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function send(url: URL, agent: Agent, push: Push): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...push.headers, "content-length": String(push.body.length) };
    const req = httpRequest({ host: url.hostname, port: url.port, method: "POST", path: url.pathname, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", reject);
    req.end(push.body);
  });
}

function describePush(push: Push): string {
  return `${JSON.stringify(push.headers).slice(0, 300)} ${push.body.toString("utf8").slice(0, 300)} (${push.body.length} bytes)`;
}

// ── Messages: each part tagged with what it makes of the message ──────────────────────────────

/** `ok`: the part is well-formed; `bad`: it makes the message malformed (400); `stale`: 401; `maybe`: the schema decides. */
type Verdict = "ok" | "bad" | "stale" | "maybe";
type Part = [string | undefined, Verdict];

const tagged = (verdict: Verdict, ...texts: Array<string | undefined>) => fc.constantFrom(...texts).map((text): Part => [text, verdict]);

const hostileString = weighted(
  [3, fc.constantFrom("", " ", "__proto__", "constructor", "toString", "hasOwnProperty", "null", "1e400", "9".repeat(25), "中文", "😀", "\u0000", "\ud800", "a\nb", "<script>")],
  [2, fc.string({ maxLength: 16 })],
  [1, fc.integer({ min: 1_000, max: 120_000 }).map((n) => "x".repeat(n))],
);
const deepText = fc.tuple(fc.integer({ min: 50, max: 6_000 }), fc.boolean()).map(([depth, arrays]) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));
const TRAPS = ['{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"toString":1,"valueOf":1}', '{"__proto__":null}', '["__proto__"]'];

const messageType = weighted<Part>(
  [8, tagged("ok", JSON.stringify("ORDER_SOMETHING_NEW"), JSON.stringify("PANDAPON_MOCK_VERIFY"), JSON.stringify("1688_ORDER_STATUS_MODIFY"), JSON.stringify("__proto__"), JSON.stringify("constructor"), JSON.stringify("toString"), JSON.stringify("hasOwnProperty"))],
  [3, tagged("maybe", JSON.stringify(KNOWN_TYPE), JSON.stringify("1688_ORDER_BUYER_VIEW_ORDER_PRICE_MODIFY"))],
  [1, tagged("ok", JSON.stringify(FAILING_TYPE))],
  [2, tagged("bad", undefined, '""', "null", "1", "0", "1e400", "9223372036854775807", "[]", "{}", "true", '["ORDER_X"]', ...TRAPS)],
  [1, hostileString.filter((s) => s !== "").map((s): Part => [JSON.stringify(s), "ok"])],
);
const messageBody = weighted<Part>(
  [8, tagged("ok", "{}", '{"salesOrderId":"4012345678901234567","subOrders":[{"purchase_order_outer_id":"1","quantity":2}]}', '{"orderId":4012345678901234567}', '{"orderId":1e400,"price":-0,"tiny":1e-400}', '{"a":{"b":{"c":[1,2,{"d":null}]}}}', ...TRAPS.filter((t) => t.startsWith("{")))],
  [1, fc.tuple(fc.integer({ min: 50, max: 3_000 })).map(([depth]): Part => [`{"deep":${"[".repeat(depth)}${"]".repeat(depth)}}`, "ok"])],
  [1, hostileString.map((s): Part => [JSON.stringify({ note: s, [s]: s }), "ok"])],
  [2, jsonText.map((text): Part => [text, text.trimStart().startsWith("{") ? "ok" : "bad"])],
  [2, tagged("bad", undefined, "null", "[]", '"x"', "1", "true", "[{}]", '["__proto__"]')],
);
const messagePlatform = weighted<Part>(
  [8, tagged("ok", undefined, "0", "1", "null", "1.0", "-0", "0e5", "1e0")],
  [2, tagged("bad", "2", "-1", '"0"', '"1"', "0.5", "1e400", "9223372036854775807", "true", "[]", "{}", '{"toString":1}')],
);
/** 2025-05-14 12:00:00 GMT+8 and around: fresh within 3 h back and 10 min ahead. */
const timestamp = weighted<Part>(
  [10, tagged("ok", undefined, "null", String(NOW), String(NOW - 60_000), JSON.stringify(String(NOW)), JSON.stringify(` ${NOW} `), String(NOW / 1000), JSON.stringify(String(NOW / 1000)), '"2025-05-14 12:00:00"', '"2025-05-14 09:00:01"', '"2025-05-14 12:09:59"', `${NOW}.0`)],
  [2, tagged("stale", String(NOW - 4 * 3600_000), '"2025-05-14 08:59:00"', '"2025-05-14 12:10:01"', '"2000-01-01 00:00:00"', '"2999-12-31 23:59:59"', String(NOW + 3600_000), "100000000", '"999999999999"', "4102444800000")],
  [3, tagged("bad", '""', '" "', '"0"', "9999999999999999", "1e400", "-1e400", "-1", "1.5", `${NOW}.5`, "9223372036854775807", "12345678901234567890", '"2025-02-30 12:00:00"', '"2025-05-14T04:00:00Z"', '"yesterday"', "true", "[]", "{}", '{"toString":1}', '"NaN"', '"Infinity"')],
  [1, hostileString.filter((s) => s.trim() !== "" && !/^\d+$/.test(s.trim())).map((s): Part => [JSON.stringify(s), "bad"])],
);
const extraMembers = fc.array(
  fc.tuple(
    fc.constantFrom("__proto__", "constructor", "prototype", "toString", "extra", "messagetype", "MessageBody", "a".repeat(300)),
    weighted([3, fc.constantFrom("1", "null", '"x"', ...TRAPS)], [1, numberText], [1, jsonText]),
  ),
  { maxLength: 3 },
);

interface Body {
  text: string | Buffer;
  /** What a correctly signed push of it must get: a verdict, or `any` when it is not a message built from tagged parts. */
  verdict: Verdict | "any";
}

const message = fc.tuple(messageType, messageBody, messagePlatform, timestamp, extraMembers, fc.boolean()).map(([type, body, platform, time, extras, extrasFirst]): Body => {
  const members: Array<[string, string]> = [];
  for (const [name, [text]] of [["messageType", type], ["messageBody", body], ["messagePlatform", platform], ["timestamp", time]] as const) {
    if (text !== undefined) members.push([name, text]);
  }
  const extra = extras.map(([k, v]): [string, string] => [k, v]);
  const all = extrasFirst ? [...extra, ...members] : [...members, ...extra];
  const verdicts = [type[1], body[1], platform[1], time[1]];
  // The shape is checked first (400), then the age (401), then the schema of a known type.
  const verdict: Verdict = verdicts.includes("bad") ? "bad" : verdicts.includes("stale") ? "stale" : verdicts.includes("maybe") ? "maybe" : "ok";
  return { text: `{${all.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`, verdict };
});
const malformed = fc.constantFrom("", "{", "}", "[", '{"a":}', "nul", "[1,", "'x'", "\uFEFF{}", '{"a":1}x', '{"a":1,}', "\u0000", '{"__proto__":', "NaN", '{"messageType": NaN}', "\"unterminated", "{}", "[]", "null", "0");
const invalidUtf8 = fc.constantFrom(
  Buffer.concat([Buffer.from('{"messageType":"ORDER_X","messageBody":{"name":"'), Buffer.from([0xc0, 0xaf, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}}')]),
  Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"messageType":"ORDER_X","messageBody":{}}')]),
  Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
  Buffer.from([0x80, 0x81, 0x82]),
);
/** Over the limit: a message padded past it, as written or compressing to a few KB (a zip bomb, once inflated). */
const oversized = fc.tuple(fc.integer({ min: LIMIT - 100, max: 4 * LIMIT }), fc.constantFrom("x", "中", " ")).map(([size, pad]): Body => ({
  text: `{"messageType":"ORDER_X","messageBody":{"pad":"${pad.repeat(Math.ceil(size / Buffer.byteLength(pad)))}"}}`,
  verdict: "ok",
}));
const bodyArbitrary = weighted<Body>(
  [12, message],
  [2, jsonText.map((text): Body => ({ text, verdict: "any" }))],
  [2, malformed.map((text): Body => ({ text, verdict: "any" }))],
  [1, deepText.map((text): Body => ({ text, verdict: "any" }))],
  [1, invalidUtf8.map((text): Body => ({ text, verdict: "any" }))],
  [1, oversized],
);

// ── Authorization and transport ──────────────────────────────────────────────────────────────

/** How the Authorization header is made from the body's signature (upper-case hex). */
type Signing = { kind: "right"; make: (sig: string) => string } | { kind: "wrong"; make: (sig: string) => string } | { kind: "none" };

const rightSigning = fc.constantFrom<(sig: string) => string>((s) => s, (s) => s.toLowerCase(), (s) => ` ${s} `, (s) => `\t${s}`, (s) => s.slice(0, 32) + s.slice(32).toLowerCase());
const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 80 });
const wrongSigning = weighted<(sig: string) => string>(
  [4, fc.constantFrom<(sig: string) => string>(
    (s) => s.slice(0, -1),
    (s) => `${s}0`,
    (s) => `${s.slice(0, -1)}${s.endsWith("0") ? "1" : "0"}`,
    (s) => `sha256=${s}`,
    (s) => `Bearer ${s}`,
    (s) => `${s} ${s}`,
    (s) => s.split("").reverse().join(""),
    (s) => Buffer.from(s, "hex").toString("base64"),
    (s) => s.replace(/F/g, "\u00df").replace(/E/g, "\u00ff"),
    (s) => s.replace(/./g, (c) => (c === "A" ? "\u00e1" : c)),
    () => signCallback("{}", SECRET),
    () => "0".repeat(64),
    () => "",
  )],
  [2, latin1.map((junk) => () => junk)],
  [1, fc.integer({ min: 1_000, max: 8_000 }).map((n) => (s: string) => s + "a".repeat(n))],
  [1, fc.integer({ min: 0, max: 63 }).map((i) => (s: string) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1))],
);
const signing = weighted<Signing>(
  [6, rightSigning.map((make): Signing => ({ kind: "right", make }))],
  [3, wrongSigning.map((make): Signing => ({ kind: "wrong", make }))],
  [1, fc.constant<Signing>({ kind: "none" })],
);
/** The Authorization header once, twice (Node keeps the first), or in another case of its name. */
const headerShape = fc.constantFrom("once", "once", "once", "twice-right-first", "twice-wrong-first", "Upper-Case");

/** How the body goes on the wire: plainly, compressed honestly, or a lie about it. */
type Encoding = "none" | "gzip" | "deflate" | "br" | "gzip-lie" | "br-lie" | "unknown" | "identity";
const encoding = weighted<Encoding>([10, fc.constant("none")], [1, fc.constantFrom<Encoding>("gzip", "deflate", "br", "gzip-lie", "br-lie", "unknown", "identity")]);
const contentType = weighted(
  [4, fc.constant<string | undefined>("application/json")],
  [1, fc.constantFrom<string | undefined>(undefined, "application/json; charset=utf-8", "application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "application/octet-stream", ";;;=", "")],
);

function encode(body: Buffer, how: Encoding): { bytes: Buffer; header?: string } {
  switch (how) {
    case "gzip":
      return { bytes: gzipSync(body), header: "gzip" };
    case "deflate":
      return { bytes: deflateSync(body), header: "deflate" };
    case "br":
      return { bytes: brotliCompressSync(body), header: "br" };
    case "gzip-lie":
      return { bytes: body, header: "gzip" };
    case "br-lie":
      return { bytes: body, header: "br" };
    case "unknown":
      return { bytes: body, header: "x-unknown" };
    case "identity":
      return { bytes: body, header: "identity" };
    default:
      return { bytes: body };
  }
}

/** What the middleware documents: 200 after the handler, 400 and 401 refusals, 413 over the limit, 415 an encoding it cannot read. */
const DOCUMENTED = [200, 400, 401, 413, 415];

describe("createCallbackMiddleware in an express app under hostile pushes", () => {
  let receiver: Receiver;
  let agent: Agent;
  beforeAll(async () => {
    receiver = await startReceiver();
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });
  afterAll(async () => {
    agent.destroy();
    await receiver.close();
  });

  it("never crashes the app, answers only documented statuses, and hands over only correctly signed, fresh, well-formed messages", async () => {
    let handed = 0;
    await fc.assert(
      fc.asyncProperty(bodyArbitrary, signing, headerShape, encoding, contentType, async (body, sign, shape, how, type) => {
        const raw = Buffer.isBuffer(body.text) ? body.text : Buffer.from(body.text, "utf8");
        const signature = signCallback(raw, SECRET);
        const right = sign.kind === "right";
        const headers: Record<string, string | string[]> = {};
        let first: string | undefined;
        if (sign.kind !== "none") {
          const value = sign.make(signature);
          const other = right ? "0".repeat(64) : signature;
          const values = shape === "twice-right-first" ? (right ? [value, other] : [other, value]) : shape === "twice-wrong-first" ? (right ? [other, value] : [value, other]) : [value];
          headers[shape === "Upper-Case" ? "AUTHORIZATION" : "authorization"] = values.length === 1 ? values[0]! : values;
          first = values[0];
        }
        // Node keeps the first of repeated Authorization headers, without the white space around it: that one decides.
        const presented = first?.replace(/^[ \t]+|[ \t]+$/g, "");
        const signedRightly = presented !== undefined && /^[0-9a-fA-F]{64}$/.test(presented) && presented.toUpperCase() === signature;
        const { bytes, header } = encode(raw, how);
        if (header) headers["content-encoding"] = header;
        if (type !== undefined) headers["content-type"] = type;
        const push: Push = { headers, body: bytes };
        const before = receiver.received.length;
        const answer = await send(receiver.url, agent, push);
        const context = `${describePush(push)} [${body.verdict}, ${sign.kind}, ${shape}, ${how}]\n→ ${answer.status} ${answer.text.slice(0, 400)}`;
        const got = receiver.received.slice(before);

        expect(receiver.crashes, context).toEqual([]);
        expectPrototypeIntact(context);
        const handlerFailed = got.length === 1 && got[0]!.messageType === FAILING_TYPE;
        if (handlerFailed) expect(answer.status, context).toBe(500);
        else expect(DOCUMENTED, context).toContain(answer.status);
        expect(got.length, context).toBe(answer.status === 200 || handlerFailed ? 1 : 0);
        if (answer.status !== 500) {
          expect(answer.contentType, context).toMatch(/^application\/json/);
          const reply = JSON.parse(answer.text) as { ok: boolean; code?: string; reason?: string };
          expect(reply.ok, context).toBe(answer.status === 200);
          if (!reply.ok) {
            expect(typeof reply.code, context).toBe("string");
            expect(reply.reason!.length, context).toBeGreaterThan(0);
            expect(reply.reason!.length, context).toBeLessThanOrEqual(MAX_REASON_LENGTH);
            expect(reply.reason, context).not.toContain(SECRET);
          }
        }

        const readable = !["gzip-lie", "br-lie", "unknown"].includes(how);
        if (!readable) expect([400, 415], context).toContain(answer.status);
        else if (raw.length > LIMIT) expect(answer.status, context).toBe(413);
        else if (!signedRightly) expect(answer.status, context).toBe(401);
        else if (body.verdict === "ok") expect(answer.status, context).toBe(handlerFailed ? 500 : 200);
        else if (body.verdict === "bad") expect(answer.status, context).toBe(400);
        else if (body.verdict === "stale") expect(answer.status, context).toBe(401);
        else if (body.verdict === "maybe") expect([200, 400], context).toContain(answer.status);

        if (got.length === 1) {
          handed++;
          // Handed over: signed with the secret, the message exactly as sent, typed as documented.
          expect(signedRightly, context).toBe(true);
          const message = got[0]!;
          expect(isSameJson(message, JSON.parse(raw.toString("utf8"))), context).toBe(true);
          expect(typeof message.messageType === "string" && message.messageType !== "", context).toBe(true);
          expect(typeof message.messageBody === "object" && message.messageBody !== null && !Array.isArray(message.messageBody), context).toBe(true);
          expect([undefined, null, 0, 1], context).toContain(message.messagePlatform);
          expect(message.timestamp === undefined || message.timestamp === null || typeof message.timestamp === "string" || typeof message.timestamp === "number", context).toBe(true);
        }
      }),
      { seed: 20250514, numRuns: 1000, endOnFailure: true },
    );
    // The run handed over a good share of messages: the property is not only about refusals.
    expect(handed).toBeGreaterThan(60);
    // And the app still takes a good push after it all.
    const good = JSON.stringify({ messageType: "ORDER_X", messageBody: {}, messagePlatform: 0, timestamp: "2025-05-14 12:00:00" });
    expect((await send(receiver.url, agent, { headers: { authorization: signCallback(good, SECRET), "content-type": "application/json" }, body: Buffer.from(good) })).status).toBe(200);
  }, 60_000);
});

// ── Slow and aborted uploads, over raw sockets ───────────────────────────────────────────────

/**
 * One exchange over a raw socket: `parts` written with `delayMs` between them; then `abort` destroys
 * the socket, `halfClose` ends its side, or the answer is waited for `waitMs` at most.
 */
function exchange(url: URL, parts: Buffer[], options: { delayMs: number; abort: boolean; halfClose: boolean; waitMs: number }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    let timer: NodeJS.Timeout | undefined;
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // One answer is all a request gets: its head and a body of the length it gives.
      const text = Buffer.concat(chunks).toString("latin1");
      const head = text.indexOf("\r\n\r\n");
      const length = /content-length: *(\d+)/i.exec(text.slice(0, head))?.[1];
      if (head >= 0 && length !== undefined && Buffer.byteLength(text.slice(head + 4), "latin1") >= Number(length)) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("connect", async () => {
      for (const part of parts) {
        if (done) return;
        socket.write(part);
        if (options.delayMs > 0) await new Promise((r) => setTimeout(r, options.delayMs));
      }
      if (options.abort) finish();
      else if (options.halfClose) socket.end();
      timer = setTimeout(finish, options.waitMs);
    });
  });
}

describe("createCallbackMiddleware under slow, cut and aborted uploads", () => {
  it("never crashes the app and never hands over a message whose body did not arrive whole", async () => {
    const receiver = await startReceiver({ handlerDelayMs: 10 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const good = JSON.stringify({ messageType: "ORDER_X", messageBody: { pad: "x".repeat(2_000) }, messagePlatform: 1, timestamp: String(NOW) });
    const goodPush = (): Push => ({ headers: { authorization: signCallback(good, SECRET), "content-type": "application/json" }, body: Buffer.from(good) });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("whole", "cut", "longer-than-said", "shorter-than-said", "chunked", "bad-chunked"),
          fc.integer({ min: 1, max: 6 }),
          fc.constantFrom(0, 0, 2, 15),
          fc.boolean(),
          fc.boolean(),
          async (how, pieces, delayMs, abort, halfClose) => {
            const body = Buffer.from(good);
            const auth = signCallback(good, SECRET);
            const head = (length: string) => Buffer.from(`POST ${receiver.url.pathname} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\n${length}\r\n`);
            let bytes: Buffer;
            let arrivesWhole = false;
            if (how === "whole") {
              bytes = Buffer.concat([head(`Content-Length: ${body.length}\r\n`), body]);
              arrivesWhole = true;
            } else if (how === "cut") bytes = Buffer.concat([head(`Content-Length: ${body.length}\r\n`), body.subarray(0, body.length >> 1)]);
            else if (how === "longer-than-said") bytes = Buffer.concat([head(`Content-Length: ${body.length - 10}\r\n`), body]);
            else if (how === "shorter-than-said") bytes = Buffer.concat([head(`Content-Length: ${body.length + 10}\r\n`), body]);
            else if (how === "chunked") {
              bytes = Buffer.concat([head("Transfer-Encoding: chunked\r\n"), Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n0\r\n\r\n")]);
              arrivesWhole = true;
            } else bytes = Buffer.concat([head("Transfer-Encoding: chunked\r\n"), Buffer.from("zz\r\n"), body, Buffer.from("\r\n0\r\n\r\n")]);
            const size = Math.ceil(bytes.length / pieces);
            const parts = Array.from({ length: pieces }, (_, i) => bytes.subarray(i * size, (i + 1) * size)).filter((part) => part.length > 0);
            const before = receiver.received.length;
            // A request cut short is never answered (the app waits for the rest): 200 ms tell that.
            const answer = await exchange(receiver.url, parts, { delayMs, abort, halfClose, waitMs: arrivesWhole ? 5_000 : 200 });
            // The handler is slow: let an exchange aborted while it ran finish in the app.
            await new Promise((r) => setTimeout(r, 15));
            const context = `${how} in ${pieces} pieces, ${delayMs} ms apart, abort ${abort}, half-close ${halfClose} → ${answer.slice(0, 200)}`;
            expect(receiver.crashes, context).toEqual([]);
            const got = receiver.received.length - before;
            if (!arrivesWhole) expect(got, context).toBe(0);
            const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
            if (status !== 0) expect(DOCUMENTED, context).toContain(status);
            // A client that half-closes has its request aborted by Node (no half-open HTTP): it may get no answer.
            if (arrivesWhole && !abort && !halfClose) expect(status, context).toBe(200);
            // The app still answers a good push.
            expect((await send(receiver.url, agent, goodPush())).status, context).toBe(200);
          },
        ),
        { seed: 20250516, numRuns: 100 },
      );
      expect(receiver.crashes).toEqual([]);
    } finally {
      agent.destroy();
      await receiver.close();
    }
  }, 60_000);
});

// ── verifyCallback with any text for Authorization ───────────────────────────────────────────

describe("verifyCallback with hostile Authorization texts", () => {
  it("accepts only the body's hex HMAC (either case, white space around), whatever characters surround or replace it", () => {
    // A body whose signature holds "FF" and "EE" somewhere, for the characters that upper-case to them.
    const body = Array.from({ length: 500 }, (_, i) => JSON.stringify({ messageType: "ORDER_X", messageBody: { i }, timestamp: String(NOW) })).find((text) => /FF.*EE|EE.*FF/.test(signCallback(text, SECRET)))!;
    const signature = signCallback(body, SECRET);
    /** Characters whose upper or lower case is longer or is ASCII: ligatures, the sharp s, the dotless i, the Kelvin sign… */
    const TRICKY = ["\ufb00", "\ufb01", "\u00df", "\u0131", "\u017f", "\u212a", "\u0130", "\uff21", "\uff10", "\u0660", "\u00a0", "\u2028", "\ufeff", "\u0000", "\ud800", "a", "F", "0", " "];
    const tricky = fc.constantFrom(...TRICKY);
    /** The signature with a part of it spelt by a character whose upper case is that part (ﬀ for FF). */
    const respelt = TRICKY.flatMap((c) => {
      const upper = c.toUpperCase();
      const at = signature.indexOf(upper);
      return upper !== c && upper.length > 1 && at >= 0 ? [signature.slice(0, at) + c + signature.slice(at + upper.length)] : [];
    });
    expect(respelt.length).toBeGreaterThan(0);
    const authorization = weighted(
      [2, fc.constantFrom(signature, signature.toLowerCase(), ` ${signature}\n`)],
      [1, fc.constantFrom(...respelt)],
      // The signature with some of its characters replaced by tricky ones, or tricky ones put in.
      [6, fc.array(fc.tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 2 }), tricky), { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce((text, [at, drop, c]) => text.slice(0, at) + c + text.slice(at + drop), signature))],
      [1, fc.string({ maxLength: 80 })],
      [1, fc.string({ unit: "binary", maxLength: 70 })],
    );
    fc.assert(
      fc.property(authorization, (value) => {
        const result = verifyCallback({ rawBody: body, authorization: value, secret: SECRET, now: NOW });
        const presented = value.trim();
        const right = /^[0-9a-fA-F]{64}$/.test(presented) && presented.toUpperCase() === signature;
        expect(result.ok, JSON.stringify(value)).toBe(right);
        if (!result.ok) expect(result.status, JSON.stringify(value)).toBe(401);
      }),
      { seed: 20250517, numRuns: 3_000 },
    );
  });
});

// ── The integrator's own callbacks failing ───────────────────────────────────────────────────

type HandlerMode = "returns" | "returns-value" | "throws-error" | "rejects-later" | "throws-null" | "throws-undefined" | "throws-route" | "throws-text" | "answers-itself" | "answers-itself-then-throws";
type ParserMode = "default" | "lossless" | "throws-error" | "throws-null" | "throws-text" | "returns-nothing";

describe("createCallbackMiddleware when the integrator's own callbacks fail", () => {
  it("answers every push (500 for a callback's failure, never another route), and the app's process lives on", async () => {
    const { faults: crashes, stop: stopWatching } = watchProcessFaults();
    const mode: { handler: HandlerMode; parser: ParserMode; onRejectedThrows: boolean; nowThrows: boolean } = { handler: "returns", parser: "default", onRejectedThrows: false, nowThrows: false };
    type Thrown = "error" | "null" | "undefined" | "route" | "text";
    /** What a `throws-…` mode throws. */
    const toThrown = (name: string): Thrown | undefined => (name.startsWith("throws-") ? (name.slice("throws-".length) as Thrown) : undefined);
    const throwing = (what: Thrown): never => {
      throw what === "error" ? new Error("integrator failure") : what === "null" ? null : what === "undefined" ? undefined : what === "route" ? "route" : "a thrown text";
    };
    const app = express();
    app.post(
      "/cb",
      createCallbackMiddleware({
        secret: SECRET,
        now: () => (mode.nowThrows ? throwing("error") : NOW),
        parseJson: (text) => {
          const thrown = toThrown(mode.parser);
          if (thrown) return throwing(thrown);
          if (mode.parser === "lossless") return parseLosslessJson(text, null, (n) => (isSafeNumber(n) ? Number(n) : BigInt(n)));
          return mode.parser === "returns-nothing" ? undefined : JSON.parse(text);
        },
        onRejected: () => {
          if (mode.onRejectedThrows) throwing("error");
        },
        handler: async (_message, req) => {
          if (mode.handler === "rejects-later") await new Promise((r) => setTimeout(r, 2));
          if (mode.handler.startsWith("answers-itself")) req.res!.status(202).json({ queued: true });
          const thrown = mode.handler === "rejects-later" || mode.handler === "answers-itself-then-throws" ? "error" : toThrown(mode.handler);
          if (thrown) return throwing(thrown);
          return mode.handler === "returns-value" ? { stored: true } : undefined;
        },
      }),
    );
    // A later route and a JSON error handler, as an app may have: a push must never reach the route.
    app.post("/cb", (_req, res) => {
      res.status(299).json({ reached: "the next route" });
    });
    app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(error);
      res.status(500).json({ error: error instanceof Error ? error.message : `not an Error: ${String(error)}` });
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const good = JSON.stringify({ messageType: "ORDER_X", messageBody: { orderId: 4012345678901234567 }, messagePlatform: 1, timestamp: String(NOW) });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<HandlerMode>("returns", "returns-value", "throws-error", "rejects-later", "throws-null", "throws-undefined", "throws-route", "throws-text", "answers-itself", "answers-itself-then-throws"),
          fc.constantFrom<ParserMode>("default", "lossless", "throws-error", "throws-null", "throws-text", "returns-nothing"),
          fc.boolean(),
          fc.boolean(),
          fc.constantFrom("good", "unsigned", "malformed"),
          async (handler, parser, onRejectedThrows, nowThrows, kind) => {
            Object.assign(mode, { handler, parser, onRejectedThrows, nowThrows });
            crashes.length = 0;
            const body = kind === "malformed" ? "{" : good;
            const headers: Record<string, string> = { "content-type": "application/json", ...(kind === "unsigned" ? {} : { authorization: signCallback(body, SECRET) }) };
            const answer = await send(url, agent, { headers, body: Buffer.from(body) });
            await new Promise((r) => setTimeout(r, 5));
            const context = `${JSON.stringify(mode)} ${kind} → ${answer.status} ${answer.text.slice(0, 300)}`;
            expect(crashes, context).toEqual([]);
            expect(answer.status, context).not.toBe(299);
            expect([200, 202, 400, 401, 500], context).toContain(answer.status);
            const parserFails = parser !== "default" && parser !== "lossless";
            const refused = kind !== "good" || parserFails;
            if (nowThrows) expect(answer.status, context).toBe(500);
            else if (refused) expect(answer.status, context).toBe(onRejectedThrows ? 500 : kind === "unsigned" ? 401 : 400);
            else if (handler === "returns" || handler === "returns-value") expect(answer.status, context).toBe(200);
            else if (handler.startsWith("answers-itself")) expect(answer.status, context).toBe(202);
            else expect(answer.status, context).toBe(500);
          },
        ),
        { seed: 20250518, numRuns: 300 },
      );
      expectPrototypeIntact("after the integrator's callbacks failed");
    } finally {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      stopWatching();
    }
  }, 60_000);
});
