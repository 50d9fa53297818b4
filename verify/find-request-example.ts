import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Operation } from "../schemas/catalog.js";
import { SCHEMA_DIR } from "../schemas/catalog.js";
import { parseLossless } from "../protocol/parse-lossless.js";
import { toOperationStem } from "../checks/to-operation.js";

/** A request payload to send, and where it came from; or why there is none. */
export type RequestExample =
  | { ok: true; payload: unknown; source: string }
  | { ok: false; reason: string; isFailure: boolean };

export interface FindRequestExampleOptions {
  /** The user's fixtures: `<dir>/<operation file stem>.json`, e.g. `alibaba-refund-info.json`. */
  fixturesDir?: string;
  /** The documented examples; default `schemas/examples`. */
  examplesDir?: string;
  /**
   * Last resort for operations with neither fixture nor valid documented example: a realistic
   * request from the mock's generator (right for the mock; against the real API its ids are made up).
   */
  generateRequest?: (operation: Operation) => unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A file in the examples' format (`{description, direction, payload, violations}`), or a bare payload. */
function isExampleFormat(value: unknown): value is { direction: string; payload: unknown; violations?: unknown } {
  return isObject(value) && "payload" in value && typeof value.direction === "string";
}

function readUserFixture(file: string, label: string): RequestExample {
  const parsed = parseLossless(readFileSync(file, "utf8"));
  if (!parsed.ok) return { ok: false, reason: `${label} ${parsed.message}`, isFailure: true };
  return { ok: true, payload: isExampleFormat(parsed.value) ? parsed.value.payload : parsed.value, source: label };
}

function readDocumentedExample(dir: string, stem: string): RequestExample | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.startsWith("request") && f.endsWith(".json")).sort();
  for (const name of files) {
    const parsed = parseLossless(readFileSync(join(dir, name), "utf8"));
    if (!parsed.ok || !isExampleFormat(parsed.value)) continue;
    const { direction, violations, payload } = parsed.value;
    if (direction === "request" && Array.isArray(violations) && violations.length === 0) {
      return { ok: true, payload, source: `examples/${stem}/${name}` };
    }
  }
  return undefined;
}

/**
 * The request to send for an operation: the user's fixture `<fixturesDir>/<stem>.json` (a bare
 * payload or an example-format file), else the first valid request example in
 * `schemas/examples/<stem>/` (sorted by file name), else `{}` when the operation takes no
 * parameters, else a generated request when asked. Without any, the operation is skipped — not
 * failed — with a hint.
 */
export function findRequestExample(operation: Operation, options: FindRequestExampleOptions = {}): RequestExample {
  const stem = toOperationStem(operation);
  if (options.fixturesDir) {
    const file = join(options.fixturesDir, `${stem}.json`);
    if (existsSync(file)) return readUserFixture(file, `fixtures/${stem}.json`);
  }
  const documented = readDocumentedExample(join(options.examplesDir ?? join(SCHEMA_DIR, "examples"), stem), stem);
  if (documented) return documented;
  if (!operation.request) return { ok: true, payload: {}, source: "(no parameters)" };
  if (options.generateRequest) return { ok: true, payload: options.generateRequest(operation), source: "generated (no documented example)" };
  return { ok: false, reason: `no example request; give one with --fixtures <dir> (file <dir>/${stem}.json), or send a generated one with --generated-requests (for the mock)`, isFailure: false };
}
