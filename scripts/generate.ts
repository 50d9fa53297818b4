/**
 * `npm run generate`: writes everything derived from schemas/ — generated/ (TypeScript types), the
 * README's list of covered operations and its account of the entity types (schemas/lifecycles/).
 * `--check` compares instead of writing and exits 1 when anything is stale (CI runs it).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { GENERATED_DIR, toTypeFiles } from "./generate/type-files.js";
import { withLifecyclesSection } from "./generate/readme-lifecycles.js";
import { withOperationsSection } from "./generate/readme-operations.js";

const ROOT = join(GENERATED_DIR, "..");
const README = join(ROOT, "README.md");

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const wanted = await toTypeFiles();
  wanted.set(README, withLifecyclesSection(withOperationsSection(readFileSync(README, "utf8"))));
  const stale: string[] = [];
  for (const [path, text] of wanted) {
    if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
    stale.push(relative(ROOT, path));
    if (!check) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  for (const path of listFiles(GENERATED_DIR)) {
    if (wanted.has(path)) continue;
    stale.push(`${relative(ROOT, path)} (no schema any more)`);
    if (!check) rmSync(path);
  }
  if (check && stale.length > 0) {
    console.error(`Generated files are stale (run npm run generate and commit):\n  ${stale.join("\n  ")}`);
    process.exit(1);
  }
  console.log(check ? `generated/ and the README's operations and entity types are up to date (${wanted.size} files).` : `${stale.length} of ${wanted.size} generated files written.`);
}

await main();
