import type { Command } from "commander";
import { checkRequest } from "../../checks/check-request.js";
import { parseLossless } from "../../protocol/parse-lossless.js";
import { readResponse } from "../../checks/read-response.js";
import { toOperation } from "../../checks/to-operation.js";
import type { Catalog, Operation } from "../../schemas/catalog.js";
import { getCatalog } from "../../schemas/catalog.js";
import type { Violation } from "../../schemas/violations.js";
import { splitAssumed } from "../../verify/split-assumed.js";
import type { CommandIo } from "../command-io.js";
import { InputError, PROCESS_IO, addCommand, readInputFile, runAction } from "../command-io.js";

export interface CheckOptions {
  direction?: "request" | "response";
  strict?: boolean;
  json?: boolean;
}

const ENVELOPE_MEMBERS = ["requestId", "code", "msg", "data", "developId"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The payload to check and its direction: from an example-format file, the `--direction` flag, or the document's shape. */
function toSubject(
  operation: Operation,
  text: string,
  direction: CheckOptions["direction"],
): { payload: unknown; direction: "request" | "response"; guessed: boolean } {
  if (text.trimStart().startsWith("<")) return { payload: text, direction: direction ?? "response", guessed: direction === undefined };
  const parsed = parseLossless(text);
  if (!parsed.ok) return { payload: text, direction: direction ?? "response", guessed: direction === undefined };
  const value = parsed.value;
  if (isObject(value) && "payload" in value && ["request", "response", "error"].includes(String(value.direction))) {
    return { payload: value.payload, direction: direction ?? (value.direction === "request" ? "request" : "response"), guessed: false };
  }
  if (direction) return { payload: text, direction, guessed: false };
  const members = isObject(value) ? Object.keys(value) : [];
  const requestMembers = Object.keys((operation.request?.properties ?? {}) as object);
  const isResponse =
    operation.meta.api === "top"
      ? members.some((m) => m.endsWith("_response"))
      : members.some((m) => ENVELOPE_MEMBERS.includes(m) && !requestMembers.includes(m));
  return { payload: text, direction: isResponse ? "response" : "request", guessed: true };
}

function toLines(violations: readonly Violation[], mark?: string): string[] {
  return violations.map((v) => `  ${mark ?? (v.severity === "error" ? "✗" : "!")} ${v.path || "(root)"}  [${v.rule}] ${v.message}`);
}

function readOperation(catalog: Catalog, name: string): Operation {
  try {
    return toOperation(catalog, name);
  } catch (error) {
    throw new InputError((error as Error).message, { cause: error });
  }
}

/** Checks one saved request or response; returns the exit status (0 valid, 1 violations); bad input throws InputError. */
export function runCheck(operationName: string, file: string, options: CheckOptions, io: CommandIo, catalog: Catalog = getCatalog()): number {
  if (options.direction !== undefined && options.direction !== "request" && options.direction !== "response") {
    throw new InputError(`--direction must be "request" or "response", not "${String(options.direction)}".`);
  }
  const operation = readOperation(catalog, operationName);
  const text = readInputFile(io, file);
  const subject = toSubject(operation, text, options.direction);
  // A response's differences from an assumed (undocumented) data shape are listed, never failed.
  const { judged: violations, assumed: differences } =
    subject.direction === "request"
      ? { judged: checkRequest(operation, subject.payload, { catalog }), assumed: [] }
      : splitAssumed(operation, readResponse(operation, subject.payload, { catalog }).violations);
  const failures = violations.filter((v) => v.severity === "error" || options.strict === true).length;
  const warnings = violations.filter((v) => v.severity === "warning").length;
  if (options.json) {
    const shape = subject.direction === "response" && operation.assumed ? { assumed: { reason: operation.assumed, differences } } : {};
    io.out(JSON.stringify({ operation: operation.meta.name, direction: subject.direction, ok: failures === 0, violations, ...shape }, null, 2) + "\n");
    return failures === 0 ? 0 : 1;
  }
  const assumed = subject.guessed ? ` (read as a ${subject.direction}; use --direction to say otherwise)` : "";
  const counts = `${violations.length - warnings} failure(s), ${warnings} warning(s)`;
  const head =
    failures === 0
      ? `OK: ${file} is a valid ${subject.direction} of ${operation.meta.name}${warnings > 0 ? ` with ${warnings} warning(s)` : ""}${assumed}`
      : `FAIL: ${file} is not a valid ${subject.direction} of ${operation.meta.name}: ${counts}${assumed}`;
  const note = differences.length > 0 ? [`  its data differs from the assumed shape in ${differences.length} place(s), not failed: ${operation.assumed}`] : [];
  io.out([head, ...toLines(violations), ...toLines(differences, "~"), ...note].join("\n") + "\n");
  return failures === 0 ? 0 : 1;
}

export function registerCheck(program: Command, io: CommandIo = PROCESS_IO): void {
  addCommand(program, "check", io)
    .description("validate one saved request or response (JSON, or TOP XML) against an operation's contract")
    .argument("<operation>", "operation name, e.g. /alibaba/refund/info or taobao.pc.refund.detail")
    .argument("<file>", "a saved body: JSON or XML, or an examples-format file {direction, payload}")
    .option("--direction <direction>", "request or response (default: from the file, else guessed from its shape)")
    .option("--strict", "warnings (drift, precision) fail too")
    .option("--json", "print the violations as JSON")
    .addHelpText(
      "after",
      "\nExit status: 0 valid (warnings allowed unless --strict), 1 violations, 2 unknown operation or unreadable file.",
    )
    .action((operation: string, file: string, options: CheckOptions) => runAction(io, () => runCheck(operation, file, options, io)));
}
