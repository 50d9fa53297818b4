// Bundles the CLI into one file (dist/cli/pandapon-mock.js) and the parts it imports on demand into
// dist/cli/chunks/: loading ~400 small modules costs more than half of a cold start; one file loads
// in a fraction of that. Run by `npm run build` after tsc.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunks are named by content hash: clear the last build's.
rmSync("dist/cli/chunks", { recursive: true, force: true });

await build({
  // The proxy's check worker is an entry of its own, beside the CLI (the proxy starts it from
  // ./check-worker.js next to its own code); what the two share goes in chunks.
  entryPoints: { "pandapon-mock": "dist/cli/main.js", "check-worker": "dist/proxy/check-worker.js" },
  outdir: "dist/cli",
  // What is imported on demand (express, for /__mock/) goes in its own file, read only when used:
  // V8 parses all of a file it loads, and express's dependencies were a third of the bundle.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  // A native module: loaded from node_modules, and only when the mock is stateful (serve without --stateless).
  external: ["better-sqlite3"],
  logLevel: "warning",
  // CommonJS dependencies (express, ajv) call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
});
