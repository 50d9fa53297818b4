import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClientError, createAdminClient } from "../client/create-admin-client.js";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { ClientError } from "../client/client-error.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import { jsonText, numberText } from "./helpers/json-text.js";

/**
 * The signing clients (PandaPon, TOP JSON and XML) and the admin client against a server on
 * 127.0.0.1 that answers anything: malformed JSON, wrong envelopes, huge numbers, HTML error pages,
 * empty and truncated bodies, resets, gzip lies, redirects, errors, no answer at all. A call must
 * resolve with an answer or reject with the library's documented errors, within its timeout.
 */

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
const TIMEOUT_MS = 300;
const RETRIES = 1;
const RETRY_DELAY_MS = 10;
/** The longest a call may take: every attempt timing out, the delays between them, and slack for a loaded machine. */
const MAX_CALL_MS = (RETRIES + 1) * TIMEOUT_MS + RETRIES * RETRY_DELAY_MS + 1_500;
const BIG_ID = "2123456789012345678";
/** The clients' cap on an answer's body in the property (the default is 64 MiB). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

function weighted<T>(...choices: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

// ── The hostile server ───────────────────────────────────────────────────────────────────────

/** How an answer goes on the wire. */
type Transport =
  | "normal"
  /** Content-Encoding: gzip over bytes that are not. */
  | "gzip-lie"
  /** Honestly gzipped. */
  | "gzip"
  /** The head, then half the body, then the connection closed (Content-Length says more). */
  | "truncated"
  /** The head, then the connection destroyed. */
  | "reset-after-head"
  /** The connection destroyed before any answer. */
  | "reset"
  /** No answer at all. */
  | "hang"
  /** The head, then a byte every 50 ms: the body never ends within the timeout. */
  | "drip"
  /** Chunked framing that is not (a chunk size in letters). */
  | "bad-chunks"
  /** A status line that is no HTTP. */
  | "garbage";

interface Plan {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  transport: Transport;
}

interface HostileServer {
  url: string;
  plan: Plan;
  close(): Promise<void>;
}

function toHead(plan: Plan, extra: Record<string, string>): string {
  const headers = { ...plan.headers, ...extra };
  return `HTTP/1.1 ${plan.status} X\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`;
}

async function startHostileServer(): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state: { plan: Plan } = { plan: { status: 200, headers: {}, body: Buffer.alloc(0), transport: "normal" } };
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const plan = state.plan;
    const socket = req.socket;
    switch (plan.transport) {
      case "hang":
        return;
      case "reset":
        socket.destroy();
        return;
      case "reset-after-head":
        socket.write(toHead(plan, { "content-length": String(plan.body.length + 10) }));
        socket.destroy();
        return;
      case "truncated":
        socket.end(Buffer.concat([Buffer.from(toHead(plan, { "content-length": String(plan.body.length + 10) })), plan.body.subarray(0, plan.body.length >> 1)]));
        return;
      case "bad-chunks":
        socket.end(Buffer.concat([Buffer.from(toHead(plan, { "transfer-encoding": "chunked" })), Buffer.from("zz\r\n"), plan.body, Buffer.from("\r\n0\r\n\r\n")]));
        return;
      case "garbage":
        socket.end(Buffer.concat([Buffer.from("HTTP/1.1 abc\r\nno header here\r\n\r\n"), plan.body]));
        return;
      case "drip": {
        socket.write(toHead(plan, { "content-length": String(1_000_000) }));
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write("x")), 50);
        timers.add(timer);
        return;
      }
      default: {
        const body = plan.transport === "gzip" ? gzipSync(plan.body) : plan.body;
        const headers = { ...plan.headers, ...(plan.transport === "normal" ? {} : { "content-encoding": "gzip" }) };
        res.writeHead(plan.status, headers);
        res.end(plan.status === 204 || plan.status === 304 ? undefined : body);
      }
    }
  };
  const server: Server = createServer(answer);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get plan() {
      return state.plan;
    },
    set plan(plan: Plan) {
      state.plan = plan;
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ── Answers ──────────────────────────────────────────────────────────────────────────────────

const PANDAPON_OK = `{"requestId":"r1","code":200,"developId":"1014533973088404335","msg":"成功","data":{"refundId":"TQ1","orderId":${BIG_ID}}}`;
const TOP_JSON_OK = `{"pc_refund_detail_response":{"result":{"success":true,"refund_dispute_order_resp":{"refund_fee":350,"refund_item_v_o":{"item_id":${BIG_ID}}}},"request_id":"x"}}`;
const TOP_XML_OK = `<?xml version="1.0" encoding="utf-8"?><pc_refund_detail_response><result><success>true</success><refund_dispute_order_resp><refund_fee>350</refund_fee><refund_item_v_o><item_id>${BIG_ID}</item_id></refund_item_v_o></refund_dispute_order_resp></result><request_id>x</request_id></pc_refund_detail_response>`;

const deep = (depth: number, arrays: boolean) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth));
const TRAPS = ['{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"toString":1,"valueOf":1}', '{"error":{"toString":1}}', '{"error":"x","__proto__":null}'];

/** Bodies: the operation's good answer, error envelopes, wrong envelopes, HTML, XML, malformed and deep JSON, traps, huge. */
const bodyText = weighted(
  [3, fc.constantFrom(PANDAPON_OK, TOP_JSON_OK, TOP_XML_OK)],
  [2, fc.constantFrom(
    '{"requestId":"r","code":401,"msg":"signature mismatch","data":null}',
    '{"code":"500","msg":{"toString":1},"data":null}',
    '{"code":1e400,"msg":null}',
    '{"code":200,"data":null}',
    '{"code":200,"data":[]}',
    '{"code":200,"data":"text"}',
    '{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.x","sub_msg":{"a":1}}}',
    '{"error_response":"x"}',
    '{"error":"not found"}',
    '{"error":{"toString":1}}',
    '{"error":123456789012345678901234567890}',
    '{"types":null}',
    '{"types":[{"toString":1}]}',
    "null", "[]", "7", '"text"', "true", "{}", "",
  )],
  [1, fc.constantFrom("<html><body><h1>502 Bad Gateway</h1></body></html>", "<!DOCTYPE html><html>", "<?xml version=\"1.0\"?><error_response><code>7</code><msg>App Call Limited</msg></error_response>", "<a><b></a>", "<pc_refund_detail_response>&#99999999999;</pc_refund_detail_response>", "<__proto__><polluted>yes</polluted></__proto__>", `<r>${"<a>".repeat(300)}${"</a>".repeat(300)}</r>`, "<r>&unknown;</r>", "<![CDATA[", "<r><![CDATA[x]]></r>")],
  [2, fc.constantFrom("{", '{"code":200,', "nul", "{'a':1}", '{"a":1}x', "\uFEFF{}", "\u0000", '{"a" 1}', '{"code":200,"code":401}')],
  [1, fc.tuple(fc.integer({ min: 100, max: 6_000 }), fc.boolean()).map(([depth, arrays]) => `{"code":200,"data":${deep(depth, arrays)}}`)],
  [1, fc.constantFrom(...TRAPS)],
  [2, jsonText],
  [1, numberText.map((n) => `{"requestId":"r","code":${n},"data":{"orderId":${n},"refundId":${n}}}`)],
  [1, fc.integer({ min: 100_000, max: 3_000_000 }).map((n) => `{"code":200,"data":{"refundId":"${"x".repeat(n)}"}}`)],
);
const status = weighted(
  [6, fc.constant(200)],
  [3, fc.constantFrom(201, 204, 301, 302, 304, 307, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503, 504, 599, 999)],
);
const contentType = fc.constantFrom<string | undefined>("application/json", "application/json;charset=UTF-8", "text/html", "text/xml;charset=utf-8", "text/plain", "application/octet-stream", "application/json; charset=gbk", undefined, "");
const transport = weighted<Transport>(
  [10, fc.constant("normal")],
  [1, fc.constantFrom<Transport>("gzip", "gzip-lie", "truncated", "reset-after-head", "reset", "hang", "drip", "bad-chunks", "garbage")],
);
const extraHeaders = fc.constantFrom<Record<string, string>>({}, {}, { location: "/elsewhere" }, { location: "http://127.0.0.1:1/x" }, { "set-cookie": "a=b" }, { "x-long": "x".repeat(8_000) }, { "content-language": "中文".replace(/./g, "x") });

type ClientKind = "pandapon" | "pandapon-other" | "top-json" | "top-xml" | "admin-clock" | "admin-types" | "admin-entity" | "admin-reset";
const clientKind = fc.constantFrom<ClientKind>("pandapon", "pandapon-other", "top-json", "top-xml", "admin-clock", "admin-types", "admin-entity", "admin-reset");
/** Operations of the other shapes: the code-and-msg envelope, signed in the query, GET with a path parameter, GET with a query. */
const OTHER_PANDAPON_CALLS: Array<[string, Record<string, unknown>]> = [
  ["/open/address/addOrUpdate", { name: "x" }],
  ["/open/pp/logistics/updateLogisticInfo", { logisticInfos: [] }],
  ["/open/order/refund/cancel/{refundId}", { refundId: "TQ1" }],
  ["/v2/alibaba/cart/list", {}],
];

function expectPrototypeIntact(context: string): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort(), context).toEqual(PROTOTYPE_KEYS);
  expect((({}) as Record<string, unknown>).polluted, context).toBeUndefined();
}

describe("the clients against a server answering anything", () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("resolve with an answer or reject with ClientError (AdminClientError for the admin client) within their timeout, keeping 19-digit ids exact", async () => {
    const transportOptions = { timeoutMs: TIMEOUT_MS, retries: RETRIES, retryDelayMs: RETRY_DELAY_MS, maxResponseBytes: MAX_RESPONSE_BYTES };
    const pandapon = createPandaponClient({ baseUrl: server.url, ...DEMO_PANDAPON, ...transportOptions });
    const topJson = createTopClient({ gateway: server.url, ...DEMO_TOP, ...transportOptions });
    const topXml = createTopClient({ gateway: server.url, ...DEMO_TOP, format: "xml", ...transportOptions });
    const admin = createAdminClient({ baseUrl: server.url, token: "t", timeoutMs: TIMEOUT_MS });
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(clientKind, bodyText, status, contentType, transport, extraHeaders, fc.constantFrom(...OTHER_PANDAPON_CALLS), async (kind, body, code, type, how, extra, other) => {
        const headers: Record<string, string> = { ...extra, ...(type === undefined ? {} : { "content-type": type }) };
        server.plan = { status: code, headers, body: Buffer.from(body, "utf8"), transport: how };
        const context = `${kind} ← ${code} ${how} ${JSON.stringify(headers).slice(0, 200)} ${body.slice(0, 300)} (${body.length} characters)`;
        const started = performance.now();
        let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
        try {
          const value =
            kind === "pandapon"
              ? await pandapon.call("/alibaba/refund/info", { refundId: "TQ1" })
              : kind === "pandapon-other"
                ? await pandapon.call(other[0], other[1])
              : kind === "top-json"
                ? await topJson.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: "1" } })
                : kind === "top-xml"
                  ? await topXml.call("taobao.pc.refund.detail", { refund_detail_order_req: { dispute_id: "1" } })
                  : kind === "admin-clock"
                    ? await admin.clock.get()
                    : kind === "admin-types"
                      ? await admin.entities.types()
                      : kind === "admin-entity"
                        ? await admin.entities.get("alibaba-refund", "TQ1")
                        : await admin.reset();
          outcome = { ok: true, value };
        } catch (error) {
          outcome = { ok: false, error };
        }
        const elapsed = performance.now() - started;
        expect(elapsed, context).toBeLessThan(MAX_CALL_MS);
        expectPrototypeIntact(context);
        const admins = kind.startsWith("admin");
        if (!outcome.ok) {
          const { error } = outcome;
          const documented = error instanceof ClientError || (admins && error instanceof AdminClientError);
          expect(documented, `${context}\n→ threw ${String(error)}\n${(error as Error)?.stack ?? ""}`).toBe(true);
          expect((error as Error).message.length, context).toBeLessThanOrEqual(2_000);
          if (error instanceof ClientError) expect(["network", "timeout", "too-large"], context).toContain(error.code);
          // Only a body over the cap is too large (and an honest one over it always is).
          const bytes = Buffer.byteLength(body);
          if (error instanceof ClientError && error.code === "too-large") expect(bytes > MAX_RESPONSE_BYTES || admins || how === "drip", context).toBe(true);
          if (!admins && bytes > MAX_RESPONSE_BYTES && (how === "normal" || how === "gzip") && code !== 204 && code !== 304) expect((error as ClientError).code, context).toBe("too-large");
          if (error instanceof AdminClientError) expect(error.status, context).toBeGreaterThanOrEqual(code >= 300 ? 300 : 200);
          return;
        }
        answered++;
        if (!admins && (how === "normal" || how === "gzip") && code !== 204 && code !== 304) expect(Buffer.byteLength(body), context).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
        if (admins) {
          // The admin client answers the document of a 2xx: a JSON object (reset: nothing).
          if (kind === "admin-reset") expect(outcome.value, context).toBeUndefined();
          else if (kind === "admin-types") expect(Array.isArray(outcome.value), context).toBe(true);
          else expect(typeof outcome.value === "object" && outcome.value !== null && !Array.isArray(outcome.value), context).toBe(true);
          return;
        }
        const result = outcome.value as { status: number; rawBody: string; envelope: unknown; data: unknown; violations: unknown[] };
        expect(result.status, context).toBe(code);
        expect(Array.isArray(result.violations), context).toBe(true);
        if (how === "normal" || how === "gzip") {
          // The body as fetch decodes it: UTF-8, a byte-order mark dropped.
          if (code !== 204 && code !== 304) expect(result.rawBody, context).toBe(body.replace(/^\uFEFF/, ""));
          // The good answer of the operation, read with its 19-digit id exact.
          const good = kind === "pandapon" ? PANDAPON_OK : kind === "top-json" ? TOP_JSON_OK : TOP_XML_OK;
          if (body === good && code === 200 && kind !== "pandapon-other") {
            const id = kind === "pandapon" ? (result.data as { orderId: unknown }).orderId : (result.data as { result: { refund_dispute_order_resp: { refund_item_v_o: { item_id: unknown } } } }).result.refund_dispute_order_resp.refund_item_v_o.item_id;
            expect(id, context).toBe(BIG_ID);
          }
        }
      }),
      { seed: 20250519, numRuns: 400, endOnFailure: true },
    );
    expect(answered).toBeGreaterThan(150);
  }, 120_000);
});

describe("createAdminClient against answers the mock never gives", () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const answer = (status: number, body: string, transport: Transport = "normal") => {
    server.plan = { status, headers: { "content-type": "application/json" }, body: Buffer.from(body), transport };
  };

  it("rejects with a ClientError 'timeout' when no answer comes within timeoutMs (it waited for ever)", async () => {
    answer(200, "{}", "hang");
    const started = performance.now();
    const error = await createAdminClient({ baseUrl: server.url, timeoutMs: 200 }).clock.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: "timeout", message: `Failed to call "GET ${server.url}/__mock/clock": no answer within 200 ms.` });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("rejects with an AdminClientError naming an error that is no text (String() of it threw a TypeError)", async () => {
    answer(400, '{"error":{"toString":1}}');
    const error = await createAdminClient({ baseUrl: server.url }).clock.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminClientError);
    expect(error).toMatchObject({ status: 400, message: `Failed to call "GET ${server.url}/__mock/clock": 400 {"toString":1}` });
  });

  it("repeats at most 200 characters of an error", async () => {
    answer(409, JSON.stringify({ error: "x".repeat(100_000) }));
    const error = (await createAdminClient({ baseUrl: server.url }).reset().catch((e: unknown) => e)) as AdminClientError;
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain("…(99800 more characters)");
  });

  it("rejects with an AdminClientError when a 2xx answer is JSON but no object, or types has no list (a TypeError, or undefined for a list)", async () => {
    for (const body of ["null", "[]", "7", '"x"']) {
      answer(200, body);
      await expect(createAdminClient({ baseUrl: server.url }).clock.get()).rejects.toMatchObject({ name: "AdminClientError", status: 200, message: expect.stringContaining("is not a JSON object") });
    }
    answer(200, '{"types":null}');
    await expect(createAdminClient({ baseUrl: server.url }).entities.types()).rejects.toMatchObject({ name: "AdminClientError", message: expect.stringContaining("has no list of types") });
  });
});

describe("the signing clients against an answer without end", () => {
  it("reject with a ClientError 'too-large' once the body passes maxResponseBytes, without reading on or retrying (it was read whole into memory)", async () => {
    const sockets = new Set<Socket>();
    let requests = 0;
    // 64 KB chunks without end, as fast as the socket takes them; or a Content-Length announcing 1 GB.
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      if (req.url?.includes("announce")) {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(1024 ** 3) });
        res.write("{");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, "x");
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ["", "/announce"]) {
        requests = 0;
        const client = createPandaponClient({ baseUrl: url + path, ...DEMO_PANDAPON, timeoutMs: 10_000, retries: 2, maxResponseBytes: 4 * 1024 * 1024 });
        const started = performance.now();
        const error = await client.call("/alibaba/refund/info", { refundId: "TQ1" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ClientError);
        expect(error).toMatchObject({ code: "too-large", context: { attempts: 1 }, message: `Failed to call "POST ${url}${path}/alibaba/refund/info": the answer (200) is larger than 4194304 bytes (maxResponseBytes); it was not read.` });
        expect(performance.now() - started).toBeLessThan(5_000);
        expect(requests).toBe(1);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
