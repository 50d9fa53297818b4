import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import { createTempFolder } from "./helpers/store-setups.js";

// Real processes on one SQLite state file: a write that answered ok survives SIGKILL, and two
// processes writing the same file at once lose nothing.

const CHILD = join(import.meta.dirname, "helpers", "store-child.ts");

function spawnChild(file: string, ...args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", CHILD, file, ...args], { stdio: ["pipe", "pipe", "pipe"] });
}

/** The child's output lines as they come, and its end (exit code, signal, standard error). */
function watchChild(child: ChildProcessWithoutNullStreams) {
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  const waitFor = async (test: (lines: string[]) => boolean): Promise<void> => {
    while (!test(lines)) {
      const next = new Promise<void>((resolve) => waiters.push(resolve));
      const end = await Promise.race([next.then(() => undefined), ended]);
      if (end !== undefined && !test(lines)) throw new Error(`The child ended (${end.code ?? end.signal}) before its output showed what was awaited: ${end.stderr.slice(0, 2000)}`);
    }
  };
  return { lines, ended, waitFor };
}

async function runToEnd(file: string, ...args: string[]): Promise<unknown> {
  const watched = watchChild(spawnChild(file, ...args));
  const end = await watched.ended;
  if (end.code !== 0) throw new Error(`store-child ${args.join(" ")} failed (${end.code ?? end.signal}): ${end.stderr.slice(0, 2000)}`);
  return JSON.parse(watched.lines.at(-1)!);
}

describe("SQLite state file across processes", () => {
  it("keeps every write that answered ok when its process is killed with SIGKILL mid-stream", async () => {
    const file = join(createTempFolder(), "state.sqlite");
    const child = spawnChild(file, "write", "tenant-a", "100000");
    const watched = watchChild(child);
    await watched.waitFor((lines) => lines.length >= 300);
    child.kill("SIGKILL");
    const end = await watched.ended;
    expect(end.signal).toBe("SIGKILL");
    const written = watched.lines.filter((line) => line.startsWith("written ")).map((line) => `tenant-a/W${line.slice(8)}`);
    expect(written.length).toBeGreaterThanOrEqual(300);
    expect(watched.lines).not.toContain("done");

    const { keys, stats } = (await runToEnd(file, "dump")) as { keys: string[]; stats: { entities: number } };
    const stored = new Set(keys);
    expect(written.filter((key) => !stored.has(key))).toEqual([]);
    // Nothing half-written: the counts agree with the rows (a put may have committed after its last line was printed).
    expect(stats.entities).toBe(keys.length);
    expect(keys.length - written.length).toBeLessThanOrEqual(1);
  });

  it("reads back after a clean restart what the first process wrote, bigint fields exact", async () => {
    const file = join(createTempFolder(), "nested", "folder", "state.sqlite");
    const child = spawnChild(file, "write", "tenant-a", "3");
    const watched = watchChild(child);
    await watched.waitFor((lines) => lines.includes("done"));
    child.stdin.end();
    expect((await watched.ended).code).toBe(0);
    const store = createSqliteStore({ file });
    try {
      expect((await store.get("tenant-a", "alibaba-refund", "W3"))?.fields).toEqual({ n: 3, orderId: 10000000000000000003n });
    } finally {
      await store.close();
    }
  });

  it("loses no update when two processes write the same entity and sequence at once", async () => {
    const file = join(createTempFolder(), "state.sqlite");
    createSqliteStore({ file }).close();
    const [a, b] = (await Promise.all([runToEnd(file, "increment", "150"), runToEnd(file, "increment", "150")])) as Array<{ sequences: number[]; conflicts: number }>;
    const { count } = (await runToEnd(file, "dump")) as { count: number };
    expect(count).toBe(300);
    expect([...a!.sequences, ...b!.sequences].sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it("gives each due push to one of two claiming processes, never both", async () => {
    const file = join(createTempFolder(), "state.sqlite");
    const store = createSqliteStore({ file });
    for (let i = 0; i < 200; i++) await store.append({ tenant: "tenant-a", topic: "t", payload: { i }, dueAt: 1000, createdAt: 1000 });
    await store.close();
    const [a, b] = (await Promise.all([runToEnd(file, "claim", "p1", "5000"), runToEnd(file, "claim", "p2", "5000")])) as number[][];
    expect([...a!, ...b!].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});
