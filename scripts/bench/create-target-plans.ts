import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPandaponRequest, createTopRequest } from "./create-load-requests.js";
import type { TargetPlan } from "./run-target.js";
import type { TargetCommand } from "./spawn-target.js";

/** The built CLI the package installs as `pandapon-mock` (package.json `bin`), which `npm start` runs too. */
export function readCliEntry(root: string): string {
  const bin = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string> }).bin;
  return join(root, bin["pandapon-mock"] ?? Object.values(bin)[0]!);
}

/**
 * `pandapon-mock serve --port 0` as `npm start` runs it (signatures checked, responses not
 * re-validated), by default `--stateless`: the generated answers the throughput rows measure (and
 * two targets at once cannot share one state file). `serveArgs: []` and a `cwd` of its own: the
 * default stateful mock with its state file there.
 */
export function toMockCommand(root: string, nodeFlags: string[] = [], entry = readCliEntry(root), serveArgs = ["--stateless"], cwd = root): TargetCommand {
  return { command: process.execPath, args: [...nodeFlags, entry, "serve", "--port", "0", "--host", "127.0.0.1", ...serveArgs], cwd };
}

function fail(what: string, status: number, body: string): never {
  throw new Error(`Failed to benchmark ${what}: a check request got HTTP ${status}: ${body.slice(0, 400)}`);
}

export function createMockPandaponPlan(command: TargetCommand): TargetPlan {
  return {
    name: "mock: PandaPon /alibaba/refund/info",
    command,
    createRequest: createPandaponRequest,
    checkAnswer(status, body, request) {
      const parsed = JSON.parse(body) as { code?: number; data?: { refundId?: string } };
      const sent = (JSON.parse(request.body) as { refundId: string }).refundId;
      if (status !== 200 || parsed.code !== 200 || parsed.data?.refundId !== sent) fail("the mock (PandaPon)", status, body);
    },
    verifyBody: (body) => body.includes('"code":200,'),
  };
}

export function createMockTopPlan(command: TargetCommand): TargetPlan {
  return {
    name: "mock: TOP taobao.pc.refund.detail",
    command,
    createRequest: createTopRequest,
    checkAnswer(status, body) {
      const parsed = JSON.parse(body) as { pc_refund_detail_response?: { result?: { success?: boolean } } };
      if (status !== 200 || parsed.pc_refund_detail_response?.result?.success !== true) fail("the mock (TOP)", status, body);
    },
    verifyBody: (body) => body.startsWith('{"pc_refund_detail_response":'),
  };
}

/** The ceiling answers the mock's own PandaPon answer (same bytes on the wire) to the same signed requests. */
export function createCeilingPlan(root: string, bodyFile: string): TargetPlan {
  return {
    name: "ceiling: bare node:http, fixed JSON",
    command: { command: process.execPath, args: [join(root, "scripts", "bench", "ceiling-server.mjs"), bodyFile] },
    createRequest: createPandaponRequest,
    checkAnswer(status, body) {
      if (status !== 200 || !body.includes('"code":200,')) fail("the ceiling", status, body);
    },
    verifyBody: (body) => body.includes('"code":200,'),
  };
}

/** Checks of a forwarded refund answer (a proxy answers what its upstream answers: the mock's or the ceiling's). */
function toForwardedPlan(name: string, command: TargetCommand): TargetPlan {
  return {
    name,
    command,
    createRequest: createPandaponRequest,
    checkAnswer(status, body) {
      if (status !== 200 || !body.includes('"code":200,')) fail(name, status, body);
    },
    verifyBody: (body) => body.includes('"code":200,'),
  };
}

/**
 * `pandapon-mock proxy` in front of a running upstream: it forwards, checks and journals every
 * exchange. Its checks run after the answers, so after each slice the bench waits for those still
 * queued (their CPU counts in the slice's) and counts the exchanges left unchecked. `proxyFlags`:
 * more flags of the proxy (`--check-all`).
 */
export function createProxyPlan(root: string, upstreamUrl: string, name = "proxy → ceiling (forwarded, checked)", nodeFlags: string[] = [], entry = readCliEntry(root), proxyFlags: string[] = []): TargetPlan {
  return {
    ...toForwardedPlan(name, { command: process.execPath, args: [...nodeFlags, entry, "proxy", "--target", upstreamUrl, "--port", "0", "--host", "127.0.0.1", "--quiet", ...proxyFlags], cwd: root }),
    async settle(url) {
      const started = performance.now();
      let counts = await readProxyCounts(url);
      while (counts.waiting > 0) {
        await new Promise((done) => setTimeout(done, 20));
        counts = await readProxyCounts(url);
      }
      return { settleMs: Math.round(performance.now() - started), checked: counts.checked, unchecked: counts.unchecked };
    },
  };
}

interface ProxyCounts {
  checked: number;
  unchecked: number;
  waiting: number;
}

/** The proxy's counts (a build of the proxy from before it gave them: nothing waiting, none counted). */
async function readProxyCounts(url: string): Promise<ProxyCounts> {
  const res = await fetch(`${url}/__mock/journal`);
  return ((await res.json()) as { counts?: ProxyCounts }).counts ?? { checked: 0, unchecked: 0, waiting: 0 };
}

/** The reference: a bare node:http pass-through proxy (scripts/bench/bare-proxy.mjs, no checks) in front of a running upstream. */
export function createBareProxyPlan(root: string, upstreamUrl: string, name: string): TargetPlan {
  return toForwardedPlan(name, { command: process.execPath, args: [join(root, "scripts", "bench", "bare-proxy.mjs"), upstreamUrl] });
}

/** How far away the API-like upstream answers (see createApiPlan). */
export const API_LATENCY_MS = 30;

/**
 * An upstream that behaves like the real API for the proxy's throughput row: the stateless mock
 * (real signed requests checked, a generated refund answer each, ~2 kB with 19-digit ids) holding
 * every answer API_LATENCY_MS (a rule, POST /__mock/rules), as an API across a network is.
 */
export function createApiPlan(command: TargetCommand): TargetPlan {
  return {
    ...createMockPandaponPlan(command),
    name: `API-like: mock, answers held ${API_LATENCY_MS} ms`,
    async prepare(url) {
      const rule = { name: "network-distance", match: { operation: "/alibaba/refund/info" }, answer: { latency: { fixedMs: API_LATENCY_MS } } };
      const res = await fetch(`${url}/__mock/rules`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([rule]) });
      if (res.status !== 201) throw new Error(`Failed to set the latency rule: HTTP ${res.status} ${(await res.text()).slice(0, 400)}`);
      return undefined;
    },
  };
}

export function createPrismPlan(command: TargetCommand): TargetPlan {
  return {
    name: "Prism 5.14.2 -d (dynamic)",
    command,
    createRequest: createPandaponRequest,
    checkAnswer(status, body) {
      if (status !== 200 || !body.startsWith("{")) fail("Prism", status, body);
    },
    verifyBody: (body) => body.startsWith("{"),
  };
}

/** Rules the "100 rules that do not match" row sets: 90 about other operations, 10 about any operation of another tenant (checked on every request). */
export function createIdleRules(): unknown[] {
  const others = ["/alibaba/order/detail", "/alibaba/order/cancel", "/open/order", "/open/product/get", "/alibaba/product/detail/get", "/alibaba/cart/create/order"];
  return Array.from({ length: 100 }, (_, i) =>
    i < 90
      ? { name: `idle-${i}`, match: { operation: others[i % others.length], body: { refundId: `never-${i}` } }, answer: { http: 503 } }
      : { name: `idle-${i}`, match: { tenant: `nobody-${i}` }, answer: { latency: { fixedMs: 1000 } } },
  );
}

/** The PandaPon row again, with 100 rules that never match set through POST /__mock/rules first: what rules cost a request they do not touch. */
export function createMockRulesPlan(command: TargetCommand): TargetPlan {
  return {
    ...createMockPandaponPlan(command),
    name: "mock: PandaPon /alibaba/refund/info, 100 rules not matching",
    async prepare(url) {
      const res = await fetch(`${url}/__mock/rules`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(createIdleRules()) });
      if (res.status !== 201) throw new Error(`Failed to set the 100 rules: HTTP ${res.status} ${(await res.text()).slice(0, 400)}`);
      return undefined;
    },
  };
}
