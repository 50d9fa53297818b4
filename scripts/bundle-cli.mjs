// Bundles the CLI into one file (dist/cli/pandapon-mock.js): loading ~400 small modules costs more
// than half of a cold start; one file loads in a fraction of that. Run by `npm run build` after tsc.
import { build } from "esbuild";

await build({
  entryPoints: ["dist/cli/main.js"],
  outfile: "dist/cli/pandapon-mock.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies (express, ajv) call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
});
