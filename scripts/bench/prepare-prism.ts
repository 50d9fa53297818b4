import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Catalog } from "../../schemas/catalog.js";
import type { TargetCommand } from "./spawn-target.js";
import { toOpenApi } from "../../schemas/to-openapi.js";

export const PRISM_VERSION = "5.14.2";

export type PrismPreparation = { ok: true; command: TargetCommand; openApiFile: string } | { ok: false; reason: string };

/**
 * Installs Stoplight Prism on demand into `<cacheDir>/prism` (ignored by git, reused by later runs),
 * writes the OpenAPI document of `operation`, and returns the command for `prism mock -d` (dynamic).
 */
export function preparePrism(catalog: Catalog, operation: string, cacheDir: string): PrismPreparation {
  const prefix = resolve(cacheDir, "prism");
  const cli = join(prefix, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
  if (!existsSync(cli)) {
    mkdirSync(prefix, { recursive: true });
    console.log(`Installing @stoplight/prism-cli@${PRISM_VERSION} into ${prefix} (first run only)…`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const install = spawnSync(npm, ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", "--loglevel=error", `@stoplight/prism-cli@${PRISM_VERSION}`], {
      encoding: "utf8",
      timeout: 300_000,
    });
    if (install.status !== 0 || !existsSync(cli)) {
      const detail = (install.error?.message ?? `${install.stderr ?? ""}${install.stdout ?? ""}`).trim().split("\n").slice(-5).join(" / ");
      return { ok: false, reason: `could not install @stoplight/prism-cli@${PRISM_VERSION} (${detail || `exit ${install.status}`})` };
    }
  }
  const openApiFile = resolve(cacheDir, "openapi.json");
  writeFileSync(openApiFile, JSON.stringify(toOpenApi(catalog, [operation]), null, 2));
  return {
    ok: true,
    openApiFile,
    command: { command: process.execPath, args: [cli, "mock", "-d", "-h", "127.0.0.1", "-p", "0", openApiFile], startTimeoutMs: 60_000 },
  };
}
