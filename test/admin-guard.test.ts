import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import { once } from "node:events";
import { connect } from "node:net";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it, vi } from "vitest";
import { toServeConfig } from "../config/load-config.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";
import { checkAdminExposure, isLoopbackListenHost } from "../mock/admin-guard.js";
import { startServer } from "../mock/start-server.js";
import { setupMock } from "./helpers/mock-setup.js";

// A pass-through spy: the guard keeps the real timingSafeEqual, the tests see its arguments.
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const BUNDLE = join(PACKAGE_ROOT, "dist/cli/pandapon-mock.js");
const TOKEN = "tok-3f9a1c7e5b2d4086a1e9c3b7d5f20468";
const REQ = { refund_detail_order_req: JSON.stringify({ dispute_id: "10000001", buyer_id: 10000001 }) };

function setup(admin?: { listenHost?: string; token?: string }) {
  const lines: string[] = [];
  const mock = setupMock({ log: (line) => lines.push(line), ...(admin ? { admin } : {}) });
  return { ...mock, lines };
}

/** What every refusal looks like: JSON `{error}` as the admin 404, with the status given. */
function expectRefused(res: request.Response, status: number, words: RegExp): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(res.body.error).toMatch(words);
}

describe("admin endpoints on loopback: Host names", () => {
  for (const host of ["evil.example", "127.0.0.1.nip.io", "localhost.evil.example", "evil.example:4010", "10.0.0.7:4010", "0.0.0.0:4010", "[::2]:4010", "127.0.0.256", "[::1].evil.example"]) {
    it(`refuses Host ${host} (DNS rebinding) with 403`, async () => {
      const { app } = setup();
      expectRefused(await request(app).get("/__mock/journal").set("Host", host), 403, /not a loopback name/);
    });
  }

  for (const host of ["localhost:4010", "localhost", "LOCALHOST:4010", "127.0.0.1", "127.0.0.1:4010", "127.3.2.1:80", "[::1]:4010", "[::1]"]) {
    it(`serves Host ${host}`, async () => {
      const { app } = setup();
      const res = await request(app).get("/__mock/health").set("Host", host);
      expect([res.status, res.body.status]).toEqual([200, "ok"]);
    });
  }

  it("refuses a request without a Host header (HTTP/1.0) with 403", async () => {
    const { app } = setup();
    const running = await startServer(app, 0, "127.0.0.1");
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(running.url).port), "127.0.0.1", () => socket.end("GET /__mock/journal HTTP/1.0\r\n\r\n"));
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString()));
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(answer).toContain('{"error":');
    } finally {
      await running.close();
    }
  });

  it("leaves the protocol paths alone: a signed PandaPon or TOP request with a foreign Host is answered (signatures authenticate them)", async () => {
    const { app, pandaponHeaders, topParams } = setup();
    const pandapon = await request(app).post("/alibaba/refund/info").set("Host", "evil.example").set(pandaponHeaders()).send({ refundId: "TQ77" });
    expect([pandapon.status, pandapon.body.code]).toEqual([200, 200]);
    const top = await request(app).post("/router/rest").set("Host", "evil.example").type("form").send(new URLSearchParams(topParams(REQ)).toString());
    expect(top.body.pc_refund_detail_response?.result?.success).toBe(true);
  });
});

describe("admin endpoints: cross-origin requests", () => {
  for (const method of ["post", "put", "patch", "delete"] as const) {
    it(`refuses a cross-origin ${method.toUpperCase()} before any route (an unknown path too) with 403`, async () => {
      const { app } = setup();
      const res = await request(app)[method]("/__mock/reset").set("Host", "localhost:4010").set("Origin", "http://evil.example").send({});
      expectRefused(res, 403, /cross-origin/);
    });
  }

  it("refuses a state-changing request from another origin on the same machine, from a sandboxed page, or marked cross-site", async () => {
    const { app } = setup();
    const post = () => request(app).post("/__mock/reset").set("Host", "localhost:4010");
    expectRefused(await post().set("Origin", "http://localhost:3000"), 403, /cross-origin/);
    expectRefused(await post().set("Origin", "null"), 403, /cross-origin/);
    expectRefused(await post().set("Sec-Fetch-Site", "cross-site"), 403, /cross-origin/);
    expectRefused(await post().set("Sec-Fetch-Site", "same-site").set("Origin", "http://localhost:4010"), 403, /cross-origin/);
  });

  it("lets a same-origin POST and a POST from a tool (no Origin) through the guard, to the route (stateless here: its 404)", async () => {
    const { app } = setup();
    const same = await request(app).post("/__mock/reset").set("Host", "localhost:4010").set("Origin", "http://localhost:4010").set("Sec-Fetch-Site", "same-origin").send({});
    expect([same.status, same.body.error]).toEqual([404, expect.stringContaining("POST /__mock/reset: the mock runs stateless")]);
    const tool = await request(app).post("/__mock/reset").send({});
    expect([tool.status, tool.body.error]).toEqual([404, expect.stringContaining("runs stateless")]);
  });

  it("answers a cross-origin GET without any CORS header, so a foreign page cannot read it", async () => {
    const { app } = setup();
    const res = await request(app).get("/__mock/journal").set("Origin", "http://evil.example");
    expect(res.status).toBe(200);
    expect(Object.keys(res.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
    const preflight = await request(app).options("/__mock/journal").set("Origin", "http://evil.example").set("Access-Control-Request-Method", "POST");
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("admin endpoints with a token", () => {
  it("closes every admin endpoint when listening beyond loopback without a token", async () => {
    const { app } = setup({ listenHost: "0.0.0.0" });
    expectRefused(await request(app).get("/__mock/health").set("Host", "mock.internal:4010"), 403, /admin token/);
    expectRefused(await request(app).get("/__mock/journal"), 403, /admin token/);
  });

  it("requires Authorization: Bearer <token> on every admin request beyond loopback, answering 401 JSON otherwise", async () => {
    const { app } = setup({ listenHost: "0.0.0.0", token: TOKEN });
    const get = () => request(app).get("/__mock/journal").set("Host", "mock.internal:4010");
    expectRefused(await get(), 401, /Authorization: Bearer/);
    expect((await get()).headers["www-authenticate"]).toMatch(/^Bearer /);
    expectRefused(await get().set("Authorization", `Bearer ${TOKEN.slice(0, -1)}x`), 401, /does not match/);
    expectRefused(await get().set("Authorization", `Basic ${TOKEN}`), 401, /Authorization: Bearer/);
    expectRefused(await get().set("Authorization", `Bearer ${TOKEN}${TOKEN}`), 401, /does not match/);
    expect((await get().set("Authorization", `Bearer ${TOKEN}`)).status).toBe(200);
    expect((await get().set("Authorization", `bearer ${TOKEN}`)).status).toBe(200);
    const post = await request(app).post("/__mock/reset").set("Host", "mock.internal:4010").set("Authorization", `Bearer ${TOKEN}`).send({});
    expect(post.status).toBe(404);
  });

  it("requires the token on loopback too once one is set", async () => {
    const { app } = setup({ token: TOKEN });
    expectRefused(await request(app).get("/__mock/health"), 401, /Authorization: Bearer/);
    expect((await request(app).get("/__mock/health").set("Authorization", `Bearer ${TOKEN}`)).status).toBe(200);
  });

  it("compares the token in constant time: equal-length digests through timingSafeEqual, whatever the length sent", async () => {
    const { app } = setup({ listenHost: "0.0.0.0", token: TOKEN });
    const spy = vi.mocked(crypto.timingSafeEqual);
    for (const sent of ["x", TOKEN.slice(0, -1), `${TOKEN}0`, "y".repeat(500)]) {
      spy.mockClear();
      await request(app).get("/__mock/health").set("Authorization", `Bearer ${sent}`);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0]!;
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });

  it("never writes the token to the log, the journal or an answer", async () => {
    const { app, lines, topParams } = setup({ listenHost: "0.0.0.0", token: TOKEN });
    await request(app).post("/router/rest").type("form").send(new URLSearchParams(topParams(REQ)).toString());
    const texts: string[] = [];
    for (const auth of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, 8)}`, `Bearer ${TOKEN}`]) {
      const req = request(app).get("/__mock/journal");
      texts.push((await (auth ? req.set("Authorization", auth) : req)).text);
    }
    expect(lines.length).toBeGreaterThan(1);
    expect(texts.at(-1)).toContain("taobao.pc.refund.detail");
    expect([...lines, ...texts].join("\n")).not.toContain(TOKEN.slice(8));
  });

  it("takes the token from --admin-token, PANDAPON_MOCK_ADMIN_TOKEN or the config file's adminToken, and the listen host from host", () => {
    expect(toServeConfig({ host: "0.0.0.0", adminToken: TOKEN }).mock.admin).toEqual({ listenHost: "0.0.0.0", token: TOKEN });
    expect(toServeConfig({}).mock.admin).toEqual({ listenHost: "127.0.0.1" });
    expect(() => toServeConfig({ adminToken: 42 as never })).toThrow("Invalid adminToken");
  });
});

describe("`pandapon-mock serve` and the admin token", () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [BUNDLE, "serve", "--port", "0", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    return { child, output: () => out };
  };

  // Addresses this machine does not have (documentation ranges): should the refusal ever regress, the
  // server fails to bind instead of listening publicly. 0.0.0.0 and :: are checked without a server below.
  for (const [how, args, env] of [
    ["--host 192.0.2.1", ["--host", "192.0.2.1"], {}],
    ["HOST=2001:db8::1", [], { HOST: "2001:db8::1" }],
  ] as const) {
    it(`refuses to start on ${how} without an admin token, before listening, in one line with exit code 2`, async () => {
      const { child, output } = await run([...args], env);
      const [code] = await once(child, "exit");
      expect(output()).toMatch(/^pandapon-mock serve: refusing to listen on .+ without an admin token: .*--admin-token.*PANDAPON_MOCK_ADMIN_TOKEN.*\n$/);
      expect(code).toBe(2);
    });
  }

  it("counts only loopback addresses as loopback: 0.0.0.0, :: and names other than localhost need a token", () => {
    for (const host of ["0.0.0.0", "::", "[::]", "192.168.1.20", "mock.example", "127.0.0.1.nip.io", "::ffff:10.0.0.1"]) {
      expect(isLoopbackListenHost(host), host).toBe(false);
      expect(checkAdminExposure(host, undefined), host).toMatch(/^refusing to listen on/);
      expect(checkAdminExposure(host, TOKEN), host).toBeUndefined();
    }
    for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"]) {
      expect(isLoopbackListenHost(host), host).toBe(true);
      expect(checkAdminExposure(host, undefined), host).toBeUndefined();
    }
  });

  it("prints `admin token: set`, never the token, and checks it", async () => {
    const { child, output } = await run(["--admin-token", TOKEN, "--log"]);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${output()}`)), 15_000);
        child.stdout.on("data", () => {
          const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1];
          if (found && output().includes("admin token: set")) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      expect((await fetch(`${url}/__mock/health`)).status).toBe(401);
      expect((await fetch(`${url}/__mock/health`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      expect((await fetch(`${url}/__mock/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
    expect(output()).toContain("admin token: set");
    expect(output()).not.toContain(TOKEN.slice(4));
  });
});
