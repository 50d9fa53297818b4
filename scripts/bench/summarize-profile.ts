import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time spent starting (below cli/main.js: loading and compiling the catalog), ms; not in the shares. */
  startupMs: number;
  /** Sampled time that was neither idle nor startup, ms: what the shares divide. */
  busyMs: number;
  /** Self time by stage of the request (share of busy time). */
  byCategory: Array<{ category: string; ms: number; share: number }>;
  /** Project functions by inclusive time (share of busy time). */
  inclusive: Array<{ name: string; ms: number; share: number }>;
  /** Any function by self time. */
  self: Array<{ name: string; ms: number; share: number }>;
}

const EXPRESS = /node_modules\/(express|router|body-parser|raw-body|finalhandler|on-finished|type-is|content-type|iconv-lite|depd|qs|send|serve-static|mime-types|media-typer|parseurl|accepts|negotiator|encodeurl|escape-html|statuses|http-errors|bytes|unpipe|ee-first|debug|proxy-addr|forwarded|fresh|etag|vary|cookie|utils-merge|merge-descriptors|path-to-regexp|setprototypeof|inherits|call-bound|math-intrinsics|es-errors|get-intrinsic|function-bind|side-channel[\w-]*|object-inspect|has-symbols|dunder-proto|gopd|es-object-atoms|es-define-property|hasown|get-proto|call-bind-apply-helpers|safe-buffer|safer-buffer|mime-db|content-disposition|range-parser|once|wrappy|is-promise|router)\//;

/** Which cost a sampled frame belongs to: signature, validation, generation, serialization, express, node http, … */
export function toCategory(frame: ProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "V8/native (program)";
  if (url.includes("/signing/") || url.startsWith("node:internal/crypto")) return "signature (signing/, crypto)";
  if (url.includes("/mock/generate/") || url.includes("@faker-js")) return "generation (mock/generate, faker)";
  if (/^validate\d+$/.test(functionName) || url.includes("/ajv/") || url.includes("/schemas/violations")) return "validation (ajv)";
  if (url.includes("/protocol/json-wire") || url.includes("/protocol/top-xml")) return "serialization (protocol/)";
  if (EXPRESS.test(url)) return "express + its middleware";
  if (url.includes("/lossless-json/")) return "lossless JSON parse (lossless-json)";
  if (url.includes("/checks/") || url.includes("/verify/")) return "contract checks (checks/, verify/)";
  if (url.includes("/proxy/")) return "proxy (forwarding, recording)";
  if (url.includes("/mock/nonce-memory")) return "nonce memory";
  if (url.includes("/mock/push/")) return "pushes (mock/push)";
  if (url.includes("/mock/state/") || url.includes("/better-sqlite3/")) return "state (mock/state, SQLite)";
  if (url.includes("/mock/")) return "mock pipeline (other)";
  if (url.includes("/schemas/")) return "catalog (routing, schemas)";
  if (url.startsWith("node:")) return "node core (http, net, streams, url)";
  if (url === "") return "native/builtin (JSON, RegExp, Buffer…)";
  return "other";
}

const IDLE = new Set(["(idle)"]);
/** Module evaluation of the CLI entry: every sample below it is start-up, not request handling. */
const STARTUP = /\/cli\/main\.js$|^node:internal\/modules\//;

/** Self time by category and inclusive time by function of a `.cpuprofile` (`node --cpu-prof`). */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const category = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let startup = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node || IDLE.has(node.callFrame.functionName)) return;
    const onStack = new Set<string>();
    let starting = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (STARTUP.test(frame.url)) starting = true;
      if (frame.url.startsWith("file://") && !frame.url.includes("node_modules")) onStack.add(toName(frame));
    }
    if (starting) {
      startup += ms;
      return;
    }
    busy += ms;
    add(category, toCategory(node.callFrame), ms);
    add(self, toName(node.callFrame), ms);
    for (const name of onStack) add(inclusive, name, ms);
  });
  const list = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / busy) * 1000) / 10 }));
  return { startupMs: Math.round(startup), busyMs: Math.round(busy), byCategory: list(category, 50).map(({ name, ms, share }) => ({ category: name, ms, share })), inclusive: list(inclusive, top), self: list(self, top) };
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

const ROOT_PREFIX = new URL("../../", import.meta.url).pathname;

function toName(frame: ProfileNode["callFrame"]): string {
  const file = frame.url.replace(/^file:\/\//, "").replace(/^.*\/(node_modules\/)/, "$1").replace(ROOT_PREFIX, "");
  return `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : "(native)"}`;
}
