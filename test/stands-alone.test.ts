import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../schemas/package-root.js";

/**
 * Pointers to notes a user of the project does not have: the team's design notes, its collected API
 * facts and the page copies the schemas were first written from. Every fact the project needs is in
 * its own docs (docs/, README.md, the schemas' texts and public doc URLs).
 */
const PRIVATE_NOTES: Array<[string, RegExp]> = [
  ["the design notes", /\b(PROTOCOLS|ARCHITECTURE|STATE|STYLE)\.md\b/],
  ["the API facts", /api[-]facts|\b(protocol|pc-api-family|callbacks|refunds)\.md\b/],
  ["the page copies", /\bseeds\/|\bseed \d{3}\b|\(the seed\)|the seed marks/],
  ["the shared folder", /\.\.\/shared\b|\/work\/shared|\bshared\/(design|seeds)/],
];

const THIS_FILE = relative(PACKAGE_ROOT, fileURLToPath(import.meta.url));

function listTrackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: PACKAGE_ROOT, encoding: "utf8" }).split("\0").filter((f) => f && f !== THIS_FILE);
}

describe("the project stands alone", () => {
  it("no tracked file points to notes outside the project", () => {
    const files = listTrackedFiles();
    expect(files.length).toBeGreaterThan(200);
    const pointers: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(PACKAGE_ROOT, file), "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const [what, pattern] of PRIVATE_NOTES) {
          const found = pattern.exec(line);
          if (found) pointers.push(`${file}:${i + 1}: "${found[0]}" (${what})`);
        }
      });
    }
    expect(pointers).toEqual([]);
  });

  it("ships every file the README links to", () => {
    const readme = readFileSync(join(PACKAGE_ROOT, "README.md"), "utf8");
    const { files } = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { files: string[] };
    const linked = [...new Set([...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)].map((m) => m[1]!))];
    expect(linked).toContain("docs/protocols.md");
    for (const path of linked) {
      expect(existsSync(join(PACKAGE_ROOT, path)), path).toBe(true);
      expect(files.some((entry) => path === entry || path.startsWith(`${entry}/`)), `${path} is not in package.json "files"`).toBe(true);
    }
  });

  it("recognises each kind of pointer", () => {
    // Written in parts, so that this file does not itself hold the pointers it looks for.
    const samples = ["see PROTOCOLS" + ".md", "api" + "-facts/pandapon/protocol.md §8", "protocol.md §11.6", "seeds/000_df10de828a981676.txt", "(seed 001)", ".." + "/shared/design"];
    for (const sample of samples) expect(PRIVATE_NOTES.some(([, pattern]) => pattern.test(sample)), sample).toBe(true);
    for (const fine of ["docs/protocols.md", "same seed and request", "PANDAPON_MOCK_SEED", "https://doc.pandapon.com/api-250313117"]) {
      expect(PRIVATE_NOTES.some(([, pattern]) => pattern.test(fine)), fine).toBe(false);
    }
  });
});
