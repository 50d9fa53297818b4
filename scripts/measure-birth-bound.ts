/**
 * How fast could reads of never-seen refund ids be with a cheaper birth? Two experimental builds,
 * made from dist/ into .bench/birth-bound/ and measured with scripts/measure-read-cost.ts against
 * dist/ itself (alternated slices, server CPU per read):
 *
 * - `draw`: the walk costs nothing but drawing the values — one born refund (the first id read) is
 *   served for every id with the id swapped in, and the view draws every member of the answer, as a
 *   generated answer does, before the refund's fields are set over them;
 * - `free`: a birth that costs nothing at all — the same shared refund, the view drawing only the
 *   members the refund does not hold (as this build's view does).
 *
 * Neither is a design (different ids would share one refund): they bound what any birth could reach.
 *
 *   npm run build && npx tsx scripts/measure-birth-bound.ts [--slices 30]
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const out = join(root, ".bench", "birth-bound");

/** Replaces one exact text in a built file; fails when the build no longer has it (the experiment must then be brought up to date). */
function patch(dist: string, file: string, from: string, to: string): void {
  const path = join(dist, file);
  const text = readFileSync(path, "utf8");
  if (!text.includes(from)) throw new Error(`Failed to make the experimental build: ${file} no longer contains ${JSON.stringify(from.slice(0, 80))}; update scripts/measure-birth-bound.ts to the current code.`);
  writeFileSync(path, text.replace(from, to));
}

/** readBorn serves one born record per type for every id, its id swapped in. */
const SHARED_BIRTH = [
  "const cached = caches.born.get(key);",
  `const shared = (globalThis.__birthBound ??= new Map());
        let one = shared.get(lifecycle.type);
        if (!one) shared.set(lifecycle.type, (one = load().birth({ type: lifecycle.type, tenant, id }, now).record));
        return { ...one, id, fields: { ...one.fields, [lifecycle.id.field]: id } };
        const cached = caches.born.get(key);`,
] as const;

/** The view draws every member of the answer, then sets the entity's over them. */
const DRAW_ALL = ["toSeed(operation, request, canonical), change?.paths);", "toSeed(operation, request, canonical), undefined);"] as const;

rmSync(out, { recursive: true, force: true });
/** Each build: its patches of create-state.js, then of create-producer.js. */
const builds: Record<string, { state: readonly [string, string]; producer?: readonly [string, string] }> = { free: { state: SHARED_BIRTH }, draw: { state: SHARED_BIRTH, producer: DRAW_ALL } };
try {
  for (const [name, { state, producer }] of Object.entries(builds)) {
    const dist = join(out, name);
    cpSync(join(root, "dist"), dist, { recursive: true });
    patch(dist, "mock/state/create-state.js", ...state);
    if (producer) patch(dist, "mock/generate/create-producer.js", ...producer);
  }
  const slices = process.argv.includes("--slices") ? process.argv[process.argv.indexOf("--slices") + 1]! : "30";
  const dists = ["dist", ...Object.keys(builds).map((name) => join(".bench", "birth-bound", name))].flatMap((d) => ["--dist", d]);
  execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts", "measure-read-cost.ts"), ...dists, "--slices", slices], { cwd: root, stdio: "inherit" });
} finally {
  rmSync(out, { recursive: true, force: true });
}
