import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The installed package's root (where schemas/ and mock/tables/ live), found by walking up from
 * this module: the same from source (tsx), from dist/ and from the bundled CLI.
 */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "schemas", "common"))) return dir;
    if (dirname(dir) === dir) throw new Error(`Failed to find the pandapon-mock package (schemas/) above "${from}".`);
  }
}

export const PACKAGE_ROOT = findPackageRoot();
