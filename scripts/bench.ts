/**
 * `npm run bench`: in one run on this machine, measures with autocannon on loopback
 * 1. a bare node:http server answering a fixed JSON body (the ceiling),
 * 2. the mock answering freshly signed, validated POST /alibaba/refund/info with generated data,
 * 3. the mock answering TOP taobao.pc.refund.detail (md5, JSON),
 * 4. Stoplight Prism 5.14.2 in dynamic mode serving the same operation (installed on demand),
 * 5. the stateful mock (`serve --state <file>`, a state file of its own per target): reads of refund ids
 *    nobody wrote (each new), reads polling a fixed set of stored refunds (made through the API),
 *    flows of one create then one read of the refund it made, and the same flows with every create
 *    pushing a message to a local receiver (its own child process, counting the deliveries of each
 *    slice) against the flows without pushes; then the same two reads on a state filled
 *    with --fill refunds (default 1,000,000) through the store before the target starts,
 * each in its own child process; then the mock's cold start. The ceiling and the two mock targets
 * are started and warmed up once, then measured in rounds of short slices, back to back within each
 * round, and each ratio is the median of the rounds' ratios: this machine's speed drifts and jumps
 * over a run, a round is short enough for it to hold, and a jump spoils one round, not the figure.
 * Prints a table and the ratios, and writes .bench/results.json. Flags: --duration <s> (per target
 * per round) --rounds <n> --connections <n> --warmup <s> --cold-starts <n>
 * --skip-prism --skip-build --profile (CPU profiles of the mock under load, summarised by stage)
 * --only <list> (some of mockPandapon,mockTop,mockRules,ceiling,prism,coldStart,proxy (its rows: through the proxy to an
 * API-like upstream — the mock, answers held 30 ms — against it directly; in front of the ceiling beside a bare
 * Node proxy, a stress figure, and there with --check-all too (every exchange checked: forwarding at the checks' pace); then, unsaturated, the latency it adds: --latency-pairs <n> per round; --proxy-baseline <folder>:
 * another checkout's built proxy measured both ways in the same rounds, for before/after), stateUnknown,statePolled,statePolledBorn (unknown ids polled),stateFlows,
 * statePushes (flows with pushes flowing),stateUnknownFilled,statePolledFilled; e.g. a 60 s memory check of one target; a stateful read row brings
 * its baseline: mockPandapon for unknown ids and for mockRules, the PandaPon row with 100 rules that do not
 * match; the ceiling for polling; stateFlows for statePushes) --fill <n> (refunds filled for the
 * *Filled rows) --polled <n> (stored refunds the polling rows read round and round).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getCatalog } from "../schemas/catalog.js";
import type { BenchResults, StatefulFigures, TargetOutcome } from "./bench/bench-results.js";
import { MOCK_SEED, createStateFlowPlan, createStatePolledBornPlan, createStatePolledPlan, createStatePushesPlan, createStateUnknownPlan, toCallbackUrl, toPushReceiverCommand, toStateFile, toStatefulCommand } from "./bench/create-state-plans.js";
import type { FilledRefund } from "./bench/fill-state.js";
import { fillState, readStateFileBytes } from "./bench/fill-state.js";
import type { RunningTarget, TargetCommand } from "./bench/spawn-target.js";
import { spawnTarget } from "./bench/spawn-target.js";
import type { Round } from "./bench/combine-rounds.js";
import { combineRounds, toRatio, toRoundRatio } from "./bench/combine-rounds.js";
import { PANDAPON_PATH } from "./bench/create-load-requests.js";
import { API_LATENCY_MS, createApiPlan, createBareProxyPlan, createCeilingPlan, createMockPandaponPlan, createMockRulesPlan, createMockTopPlan, createPrismPlan, createProxyPlan, readCliEntry, toMockCommand } from "./bench/create-target-plans.js";
import type { AddedLatency } from "./bench/measure-added-latency.js";
import { measureAddedLatency } from "./bench/measure-added-latency.js";
import { createPandaponRequest } from "./bench/create-load-requests.js";
import { describeMachine } from "./bench/describe-machine.js";
import { measureColdStart } from "./bench/measure-cold-start.js";
import { preparePrism } from "./bench/prepare-prism.js";
import { setDistinctIds } from "./bench/create-load-requests.js";
import { printResults } from "./bench/print-results.js";
import type { LiveTarget, LoadSettings, TargetPlan, TargetResult } from "./bench/run-target.js";
import { measureTarget, readyTarget, runTarget, startTarget } from "./bench/run-target.js";
import { summarizeProfile } from "./bench/summarize-profile.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const CACHE = join(ROOT, ".bench");

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "3" },
    rounds: { type: "string", default: "9" },
    connections: { type: "string", default: "20" },
    warmup: { type: "string", default: "2" },
    "cold-starts": { type: "string", default: "5" },
    "skip-prism": { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    only: { type: "string", default: "mockPandapon,mockTop,mockRules,ceiling,prism,coldStart,stateUnknown,statePolled,statePolledBorn,stateFlows,statePushes,stateUnknownFilled,statePolledFilled,proxy" },
    "latency-pairs": { type: "string", default: "1000" },
    fill: { type: "string", default: "1000000" },
    polled: { type: "string", default: "1000" },
    out: { type: "string", default: join(CACHE, "results.json") },
    distinct: { type: "string", default: "0" },
    "proxy-baseline": { type: "string" },
  },
});
setDistinctIds(Number(flags.distinct));

const only = new Set(flags.only.split(",").map((name) => name.trim()));
// A stateful read row is a ratio to its baseline, measured in the same rounds.
if (only.has("stateUnknown") || only.has("stateUnknownFilled") || only.has("mockRules")) only.add("mockPandapon");
if (only.has("statePolled") || only.has("statePolledBorn") || only.has("statePolledFilled")) only.add("ceiling");
// The proxy's rows: in front of an API-like upstream (the mock, answers held API_LATENCY_MS) against it
// directly; in front of the ceiling (stress) beside a bare Node proxy there; the added latency after the rounds.
if (only.has("proxy")) for (const key of ["api", "proxyApi", "proxyApiBare", "ceiling", "proxyBare", "proxyCheckAll"]) only.add(key);
// Another build of the proxy (--proxy-baseline <folder>: a checkout with its dist/ built) measured in the same rounds, both ways.
const baselineRoot = flags["proxy-baseline"] === undefined ? undefined : resolve(flags["proxy-baseline"]);
if (only.has("proxy") && baselineRoot) for (const key of ["proxyBaseline", "proxyApiBaseline"]) only.add(key);
if (only.has("statePushes")) only.add("stateFlows");
const fillCount = Number(flags.fill);
const polledCount = Math.max(1, Number(flags.polled));
const settings: LoadSettings = { durationSeconds: Number(flags.duration), connections: Number(flags.connections), warmupSeconds: Number(flags.warmup), rounds: Math.max(1, Number(flags.rounds)) };
mkdirSync(CACHE, { recursive: true });

if (!flags["skip-build"]) {
  console.log("Building dist/ (npm run build)…");
  const build = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error("Failed to build dist/: the mock runs from the build; fix the compile errors above.");
}

const machine = describeMachine();
if (machine.loadAverageAtStart > 0.5) console.warn(`Warning: load average ${machine.loadAverageAtStart} at start: other work on this machine skews the figures.`);
const targets: Record<string, TargetOutcome> = {};

function report(result: Omit<TargetResult, "sampleAnswer">): void {
  console.log(`  ${result.requestsPerSecond} req/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, peak RSS ${result.peakRssMb} MB, server CPU ${result.serverCpuPercent}%`);
  if (result.non2xx + result.errors + result.mismatches > 0) console.warn(`  Warning: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.mismatches} wrong answers under load.`);
}

async function measure(key: string, plan: TargetPlan, into: Record<string, TargetOutcome>): Promise<void> {
  console.log(`Measuring ${plan.name}…`);
  const { sampleAnswer: _sample, ...result } = await runTarget(plan, settings);
  into[key] = result;
  report(result);
}

// The ceiling and the mock targets are started (checked, warmed up) once, then measured in rounds of
// short slices, one target after another: the machine's speed drifts and jumps over a run, so each
// ratio is taken within a round and the median of the rounds is the figure.
const bodyFile = join(CACHE, "ceiling-body.json");
const rounds: Round[] = [];
const STATEFUL = ["stateUnknown", "statePolled", "statePolledBorn", "stateFlows", "statePushes", "stateUnknownFilled", "statePolledFilled"];
// The ceiling starts last, so it can answer the bytes of a refund answer of a target started before it.
// The proxy starts after it: the ceiling is its upstream.
const inRounds = ["mockPandapon", "mockTop", "mockRules", "api", ...STATEFUL, "ceiling", "proxy", "proxyCheckAll", "proxyBare", "proxyBaseline", "proxyApi", "proxyApiBare", "proxyApiBaseline"].filter((key) => only.has(key));
const live = new Map<string, LiveTarget>();
let proxyLatency: { checked: AddedLatency; bare: AddedLatency } | undefined;
const stateDirs: string[] = [];
const stateful: StatefulFigures = {};
interface FilledTarget {
  file: string;
  command: TargetCommand;
  polled: FilledRefund[];
  target: RunningTarget;
}
let filled: FilledTarget | undefined;
/** The push receivers (statePushes), stopped with the targets. */
const receivers: RunningTarget[] = [];
const newStateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "pandapon-mock-bench-state-"));
  stateDirs.push(dir);
  return dir;
};
try {
  for (const key of inRounds) {
    if (STATEFUL.includes(key)) {
      await startStateful(key);
      continue;
    }
    if (key === "ceiling") {
      // The ceiling answers the mock's own answer (same bytes on the wire); without one, a small envelope.
      const sample = ["mockPandapon", "api", "stateUnknown", "statePolled", "stateUnknownFilled", "statePolledFilled"].map((k) => live.get(k)?.sampleAnswer).find((a) => a !== undefined);
      writeFileSync(bodyFile, sample ?? '{"requestId":null,"code":200,"developId":null,"msg":"成功","data":null}');
    }
    const plan =
      key === "ceiling"
        ? createCeilingPlan(ROOT, bodyFile)
        : key === "proxy"
          ? createProxyPlan(ROOT, live.get("ceiling")!.target.url)
          : key === "proxyCheckAll"
            ? createProxyPlan(ROOT, live.get("ceiling")!.target.url, "proxy --check-all → ceiling (stress)", [], readCliEntry(ROOT), ["--check-all"])
          : key === "proxyBare"
            ? createBareProxyPlan(ROOT, live.get("ceiling")!.target.url, "bare Node proxy → ceiling (reference)")
            : key === "proxyBaseline" || key === "proxyApiBaseline"
              ? createProxyPlan(ROOT, live.get(key === "proxyBaseline" ? "ceiling" : "api")!.target.url, `baseline proxy (${baselineRoot}) → ${key === "proxyBaseline" ? "ceiling" : "API-like"}`, [], readCliEntry(baselineRoot!))
            : key === "proxyApiBare"
              ? createBareProxyPlan(ROOT, live.get("api")!.target.url, `bare Node proxy → API-like (reference)`)
            : key === "proxyApi"
              ? createProxyPlan(ROOT, live.get("api")!.target.url, `proxy → API-like (${API_LATENCY_MS} ms away)`)
              : key === "api"
                ? createApiPlan(toMockCommand(ROOT))
                : key === "mockTop"
            ? createMockTopPlan(toMockCommand(ROOT))
            : key === "mockRules"
              ? createMockRulesPlan(toMockCommand(ROOT))
              : createMockPandaponPlan(toMockCommand(ROOT));
    console.log(`Starting ${plan.name} (checked, then warmed up ${settings.warmupSeconds} s)…`);
    live.set(key, await startTarget(plan, settings));
  }
  for (let r = 1; inRounds.length > 0 && r <= settings.rounds; r++) {
    console.log(`Round ${r} of ${settings.rounds}`);
    const round: Round = {};
    // Every other round runs in reverse order, so a drift within a round does not always favour one side.
    for (const key of r % 2 === 0 ? [...inRounds].reverse() : inRounds) {
      const target = live.get(key)!;
      console.log(`Measuring ${target.plan.name}…`);
      const { sampleAnswer: _sample, ...result } = await measureTarget(target, settings);
      round[key] = result;
      report(result);
    }
    rounds.push(round);
  }
  if (only.has("proxy")) {
    const pairs = Number(flags["latency-pairs"]);
    const ceilingUrl = live.get("ceiling")!.target.url;
    console.log(`Measuring the latency the proxy adds, unsaturated: ${settings.rounds} × ${pairs} pairs of one request to the ceiling directly and one through the proxy, one at a time…`);
    const checked = await measureAddedLatency(ceilingUrl, live.get("proxy")!.target.url, createPandaponRequest, pairs, settings.rounds);
    console.log(`  added p50 ${checked.addedP50Us} µs (rounds ${checked.addedByRoundUs.join(", ")}); back to back ${checked.backToBackAddedP50Us} µs`);
    console.log("The same through the bare Node proxy…");
    const bare = await measureAddedLatency(ceilingUrl, live.get("proxyBare")!.target.url, createPandaponRequest, pairs, settings.rounds);
    console.log(`  added p50 ${bare.addedP50Us} µs (rounds ${bare.addedByRoundUs.join(", ")}); back to back ${bare.backToBackAddedP50Us} µs`);
    proxyLatency = { checked, bare };
  }
} finally {
  // The two filled rows share one target: stop each target once (the filled one even if no row got ready on it).
  for (const target of new Set([...live.values()].map((l) => l.target).concat(filled ? [filled.target] : []).concat(receivers))) await target.stop();
  if (filled && stateful.fill) stateful.fill.fileBytesAtEnd = readStateFileBytes(filled.file);
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
}
for (const key of inRounds) targets[key] = combineRounds(rounds.map((round) => round[key]!));
if (targets.stateFlows && !("skipped" in targets.stateFlows)) stateful.flowsPerSecond = Math.round(targets.stateFlows.requestsPerSecond / 2);
const withPushes = targets.statePushes;
if (withPushes && !("skipped" in withPushes) && withPushes.pushes) stateful.pushes = { flowsPerSecond: Math.round(withPushes.requestsPerSecond / 2), ...withPushes.pushes };

/**
 * Starts a stateful row's target: `serve --state` on a state file of its own, new — or, for the two
 * filled rows, one target on a file filled through the store first (a million refunds take minutes
 * to fill, and a file is held by one process: the two rows take turns on one target).
 */
async function startStateful(key: string): Promise<void> {
  if (key === "stateUnknownFilled" || key === "statePolledFilled") {
    filled ??= await startFilled();
    const label = `stateful, ${fillCount.toLocaleString("en")} stored`;
    const plan = key === "stateUnknownFilled" ? createStateUnknownPlan(filled.command, `${label}: unknown ids`) : createStatePolledPlan(filled.command, filled.polled, `${label}: polled`);
    console.log(`Readying ${plan.name} (checked, then warmed up ${settings.warmupSeconds} s)…`);
    live.set(key, await readyTarget(plan, filled.target, settings));
    return;
  }
  if (key === "statePushes") {
    const receiver = await spawnTarget(toPushReceiverCommand(ROOT));
    receivers.push(receiver);
    const plan = createStatePushesPlan(toStatefulCommand(ROOT, newStateDir(), ["--callback-url", toCallbackUrl(receiver.url)]), receiver);
    console.log(`Starting ${plan.name} (checked, then warmed up ${settings.warmupSeconds} s; pushes to ${receiver.url})…`);
    live.set(key, await startTarget(plan, settings));
    return;
  }
  const command = toStatefulCommand(ROOT, newStateDir());
  const plan =
    key === "stateUnknown"
      ? createStateUnknownPlan(command)
      : key === "statePolled"
        ? createStatePolledPlan(command, polledCount)
        : key === "statePolledBorn"
          ? createStatePolledBornPlan(command, polledCount)
          : createStateFlowPlan(command);
  console.log(`Starting ${plan.name} (checked, then warmed up ${settings.warmupSeconds} s)…`);
  live.set(key, await startTarget(plan, settings));
}

/** Fills a new state file with --fill refunds of the demo tenant through the store (not the API), then starts the mock on it. */
async function startFilled(): Promise<FilledTarget> {
  const dir = newStateDir();
  const file = toStateFile(dir);
  console.log(`Filling ${fillCount.toLocaleString("en")} refunds into ${file} through the store…`);
  const { polled, ...fill } = await fillState({
    file,
    count: fillCount,
    tenant: DEMO_PANDAPON.accessKey,
    seed: MOCK_SEED,
    now: Date.now(),
    polled: polledCount,
    onProgress: (n) => {
      if (n % 100_000 === 0 || n === fillCount) process.stdout.write(`  ${n.toLocaleString("en")} filled\r`);
    },
  });
  stateful.fill = fill;
  console.log(`  filled in ${fill.seconds} s (${fill.perSecond.toLocaleString("en")}/s); state file ${Math.round(fill.fileBytes / 2 ** 20).toLocaleString("en")} MiB`);
  const command = toStatefulCommand(ROOT, dir);
  return { file, command, polled, target: await spawnTarget(command) };
}

if (only.has("prism")) await measurePrism();

/** Prism is installed on demand; when it cannot be installed or started, the run goes on without it. */
async function measurePrism(): Promise<void> {
  const name = "Prism 5.14.2 -d (dynamic)";
  if (flags["skip-prism"]) {
    targets.prism = { name, skipped: "--skip-prism" };
    return;
  }
  const prism = preparePrism(getCatalog(), PANDAPON_PATH, CACHE);
  if (!prism.ok) {
    console.warn(`Skipping Prism: ${prism.reason}.`);
    targets.prism = { name, skipped: prism.reason };
    return;
  }
  try {
    await measure("prism", createPrismPlan(prism.command), targets);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0]!;
    console.warn(`Skipping Prism: ${reason}`);
    targets.prism = { name, skipped: reason };
  }
}

let coldStart: BenchResults["coldStart"];
let coldStartStateful: BenchResults["coldStartStateful"];
if (only.has("coldStart")) {
  console.log("Measuring the cold start (spawn `pandapon-mock serve --stateless` → first signed 200)…");
  coldStart = await measureColdStart(toMockCommand(ROOT), Number(flags["cold-starts"]));
  console.log("Measuring the cold start of the default, stateful mock (a state file in a new folder each time)…");
  const stateDir = mkdtempSync(join(tmpdir(), "pandapon-mock-bench-"));
  try {
    coldStartStateful = await measureColdStart(toMockCommand(ROOT, [], readCliEntry(ROOT), [], stateDir), Number(flags["cold-starts"]), () => rmSync(join(stateDir, ".pandapon-mock"), { recursive: true, force: true }));
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function toShortCount(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

/**
 * Flows with pushes flowing / without: each create then also writes a push (in the same transaction),
 * and the dispatcher claims it, signs it, POSTs it and records the attempt, on the mock's one thread
 * (the receiver takes a little of the two cores too).
 */
const PUSHES_TARGET = 0.8;

const results: BenchResults = {
  date: new Date().toISOString(),
  machine,
  settings: { ...settings, distinctIds: Number(flags.distinct) || "every request its own" },
  targets,
  ratios: [
    toRoundRatio("mock PandaPon / ceiling", rounds, "mockPandapon", "ceiling", 0.5),
    toRoundRatio("mock TOP / ceiling", rounds, "mockTop", "ceiling", 0.5),
    toRatio("mock PandaPon / Prism", targets.mockPandapon, targets.prism, 20),
    toRatio("mock TOP / Prism", targets.mockTop, targets.prism, 20),
    toRoundRatio("100 rules not matching / none", rounds, "mockRules", "mockPandapon", 0.95),
    toRoundRatio("stateful unknown ids / stateless", rounds, "stateUnknown", "mockPandapon", 0.9),
    toRoundRatio("stateful polled / ceiling", rounds, "statePolled", "ceiling", 0.5),
    toRoundRatio("stateful polled unknown / ceiling", rounds, "statePolledBorn", "ceiling", 0.5),
    toRoundRatio("flows with pushes / without", rounds, "statePushes", "stateFlows", PUSHES_TARGET),
    toRoundRatio(`${toShortCount(fillCount)} stored: unknown / stateless`, rounds, "stateUnknownFilled", "mockPandapon", 0.9),
    toRoundRatio(`${toShortCount(fillCount)} stored: polled / ceiling`, rounds, "statePolledFilled", "ceiling", 0.5),
    toRoundRatio(`proxy / API-like upstream directly (${API_LATENCY_MS} ms away)`, rounds, "proxyApi", "api", 0.7),
    toRoundRatio("bare Node proxy / API-like directly (reference)", rounds, "proxyApiBare", "api", 0.7),
    toRoundRatio("baseline proxy / API-like directly", rounds, "proxyApiBaseline", "api", 0.7),
    toRoundRatio("baseline proxy / ceiling (stress)", rounds, "proxyBaseline", "ceiling", 0.7),
  ].filter((ratio, i) => i < 4 || ratio.value !== null),
  ...(proxyLatency
    ? {
        proxy: {
          latency: proxyLatency,
          stress: {
            proxy: toRoundRatio("proxy / ceiling", rounds, "proxy", "ceiling", 0.7),
            checkAll: toRoundRatio("proxy --check-all / ceiling", rounds, "proxyCheckAll", "ceiling", 0.7),
            bare: toRoundRatio("bare Node proxy / ceiling", rounds, "proxyBare", "ceiling", 0.7),
          },
        },
      }
    : {}),
  ...(Object.keys(stateful).length > 0 ? { stateful } : {}),
  ...(coldStart ? { coldStart } : {}),
  ...(coldStartStateful ? { coldStartStateful } : {}),
};

if (flags.profile) {
  const dir = join(CACHE, "profiles");
  rmSync(dir, { recursive: true, force: true });
  results.profiles = {};
  // The stateless targets, and the stateful ones measured (unknown ids; flows with and without pushes), each on a state file of its own.
  // A stateful plan is made from the state folder and the profiling node flags: the pushes row brings its receiver (stopped after).
  type Profiled = (stateDir: string | undefined, nodeFlags: string[], entry: string) => Promise<{ plan: TargetPlan; receiver?: RunningTarget }>;
  const stateless = (create: (command: TargetCommand) => TargetPlan): Profiled => async (_dir, nodeFlags, entry) => ({ plan: create(toMockCommand(ROOT, nodeFlags, entry)) });
  const statefulPlan = (create: (command: TargetCommand) => TargetPlan): Profiled => async (dir, nodeFlags, entry) => ({ plan: create(toStatefulCommand(ROOT, dir!, [], nodeFlags, entry)) });
  const profiled: Array<[string, Profiled]> = [["mockPandapon", stateless(createMockPandaponPlan)], ["mockTop", stateless(createMockTopPlan)]];
  if (only.has("stateUnknown")) profiled.push(["stateUnknown", statefulPlan(createStateUnknownPlan)]);
  if (only.has("stateFlows")) profiled.push(["stateFlows", statefulPlan(createStateFlowPlan)]);
  if (only.has("statePushes")) {
    profiled.push([
      "statePushes",
      async (dir, nodeFlags, entry) => {
        const receiver = await spawnTarget(toPushReceiverCommand(ROOT));
        return { plan: createStatePushesPlan(toStatefulCommand(ROOT, dir!, ["--callback-url", toCallbackUrl(receiver.url)], nodeFlags, entry), receiver), receiver };
      },
    ]);
  }
  for (const [key, create] of profiled) {
    const name = `${key}.cpuprofile`;
    console.log(`Profiling ${key} under the same load (node --cpu-prof)…`);
    // The unbundled build (tsc's output, one file per module), so the profile can tell the stages apart.
    const unbundled = join(ROOT, "dist", "cli", "main.js");
    const nodeFlags = ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`];
    const stateDir = STATEFUL.includes(key) ? mkdtempSync(join(tmpdir(), "pandapon-mock-bench-state-")) : undefined;
    const { plan, receiver } = await create(stateDir, nodeFlags, unbundled);
    try {
      await runTarget(plan, settings);
    } finally {
      await receiver?.stop();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    }
    const file = join(dir, readdirSync(dir).find((f) => f === name) ?? name);
    results.profiles[key] = { file, ...summarizeProfile(file) };
  }
  if (only.has("proxy")) {
    const name = "proxy.cpuprofile";
    console.log("Profiling the proxy in front of a new ceiling under the same load (node --cpu-prof)…");
    const ceiling = await spawnTarget(createCeilingPlan(ROOT, bodyFile).command);
    try {
      await runTarget(createProxyPlan(ROOT, ceiling.url, undefined, ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`], join(ROOT, "dist", "cli", "main.js")), settings);
    } finally {
      await ceiling.stop();
    }
    const file = join(dir, name);
    results.profiles.proxy = { file, ...summarizeProfile(file) };
  }
}

printResults(results);
if (results.profiles) {
  for (const [key, p] of Object.entries(results.profiles)) {
    console.log(`\nWhere ${key} spends its CPU under load (self time; ${p.busyMs} ms busy after ${p.startupMs} ms of start-up; ${p.file}):`);
    for (const c of p.byCategory) console.log(`  ${String(c.share).padStart(5)}%  ${c.category}`);
    console.log("  project functions by inclusive time:");
    for (const f of p.inclusive) console.log(`  ${String(f.share).padStart(5)}%  ${f.name}`);
    console.log("  any function by self time:");
    for (const f of p.self) console.log(`  ${String(f.share).padStart(5)}%  ${f.name}`);
  }
}
writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nWrote ${flags.out}`);
