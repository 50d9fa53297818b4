import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

type ImportGraph = Map<string, string[]>;

/**
 * Which top-level folders each folder may import from: the layers of the project, bottom first
 * (README, Layout). A folder not listed may import nothing of the project's own; its own files
 * always may. contracts/ and client/ never import each other: the checks both need are below
 * them (checks/), the runner that calls operations through the clients is above (verify/).
 */
const MAY_IMPORT: Record<string, string[]> = {
  signing: [],
  protocol: [],
  schemas: ["protocol"],
  checks: ["schemas", "protocol"],
  receiver: ["signing", "schemas", "protocol"],
  client: ["checks", "signing", "schemas", "protocol"],
  verify: ["client", "checks", "signing", "schemas", "protocol"],
  contracts: ["verify", "checks", "schemas", "protocol"],
  mock: ["checks", "signing", "schemas", "protocol"],
  config: ["mock", "signing", "schemas", "protocol"],
  proxy: ["mock", "verify", "checks", "schemas", "protocol"],
  cli: ["proxy", "config", "mock", "contracts", "verify", "client", "checks", "receiver", "signing", "schemas", "protocol", "generated"],
  "(root)": ["cli", "proxy", "config", "mock", "contracts", "verify", "client", "checks", "receiver", "signing", "schemas", "protocol", "generated"],
};

/** Static imports and re-exports (`import … from`, `export … from`), bare `import "…"` and `import("…")` of relative paths. */
const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s+["'](\.{1,2}\/[^"']+)["']|^\s*import\s+["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/gms;

/** The relative imports of one file's text, as paths from the project root (`.js` read as the `.ts` it is built from). */
function readImports(file: string, text: string): string[] {
  const targets = [...text.matchAll(IMPORT)].map((m) =>
    path.posix.normalize(path.posix.join(path.posix.dirname(file), (m[1] ?? m[2] ?? m[3])!)).replace(/\.js$/, ".ts"),
  );
  return [...new Set(targets)];
}

/** Every tracked source file of the product (not tests, scripts or generated types) with what it imports. */
function readImportGraph(): ImportGraph {
  const files = execFileSync("git", ["ls-files", "*.ts"], { encoding: "utf8" })
    .split("\n")
    .filter((f) => f && !/^(test|scripts|generated)\//.test(f));
  return new Map(files.map((file) => [file, readImports(file, readFileSync(file, "utf8"))]));
}

const folderOf = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : "(root)");

function findCycle(graph: ImportGraph): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === "done") return undefined;
    if (state.get(file) === "open") return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, "open");
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      const cycle = visit(target);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, "done");
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Each import from one folder into another that the layers do not allow, as `file → target`. */
function findWrongWayImports(graph: ImportGraph, mayImport: Record<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from && !(mayImport[from] ?? []).includes(to)) wrong.push(`${file} → ${target}`);
    }
  }
  return wrong;
}

describe("import graph", () => {
  const graph = readImportGraph();

  it("reads the project's own imports, static, bare and dynamic", () => {
    expect(graph.get("mock/app.ts")).toContain("mock/create-core.ts");
    const text = 'import type { A } from "../b/a.js";\nexport {\n  c,\n} from "./c.js";\nimport "../d/side.js";\nimport { h } from "./c.js";\nconst e = await import("../e/lazy.js");\nimport x from "express";';
    expect(readImports("f/g.ts", text)).toEqual(["b/a.ts", "f/c.ts", "d/side.ts", "e/lazy.ts"]);
  });

  it("has no import cycle", () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it("imports only downward between folders", () => {
    expect(findWrongWayImports(graph, MAY_IMPORT)).toEqual([]);
  });

  it("has layers that form an order: no two folders may import each other, even through others", () => {
    expect(findCycle(new Map(Object.entries(MAY_IMPORT)))).toBeUndefined();
  });

  it("keeps contracts/ and client/ apart, and protocol/ below the checks", () => {
    expect(MAY_IMPORT.contracts).not.toContain("client");
    expect(MAY_IMPORT.client).not.toContain("contracts");
    expect(MAY_IMPORT.protocol).toEqual([]);
    expect(MAY_IMPORT.mock).not.toContain("config");
    expect(MAY_IMPORT.schemas).toEqual(["protocol"]);
  });

  it("finds a cycle and a wrong-way import when there is one", () => {
    const sample: ImportGraph = new Map([
      ["a/x.ts", ["a/y.ts"]],
      ["a/y.ts", ["a/x.ts", "b/z.ts"]],
      ["b/z.ts", []],
    ]);
    expect(findCycle(sample)).toEqual(["a/x.ts", "a/y.ts", "a/x.ts"]);
    expect(findWrongWayImports(sample, { a: [], b: [] })).toEqual(["a/y.ts → b/z.ts"]);
    expect(findWrongWayImports(sample, { a: ["b"], b: [] })).toEqual([]);
  });
});
