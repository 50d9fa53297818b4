import type { PandaponErrorName } from "../protocol/pandapon-error-table.js";
import { PANDAPON_ERRORS } from "../protocol/pandapon-error-table.js";
import type { Operation } from "./catalog.js";
import type { JsonSchema } from "./operation.js";
import { getWiredOperations } from "./wired-operations.js";

/**
 * Which operations can answer an entry of the mock's error table. Entries not named here (the
 * table grows) are taken to be possible on every operation, as the signature errors are.
 * - `body`: only operations whose parameters travel in a JSON body;
 * - `parameters`: only operations with documented parameters to break;
 * - `route`: never a documented operation (another path or method), told in the document's description;
 * - `entities`: operations that show or move entities when the mock is stateful (the lifecycle files' wiring);
 * - `actions`: operations that move them.
 */
const WHERE: Partial<Record<PandaponErrorName, "body" | "parameters" | "route" | "entities" | "actions">> = {
  BAD_JSON: "body",
  UNSUPPORTED_MEDIA_TYPE: "body",
  BODY_TOO_LARGE: "body",
  INVALID_REQUEST: "parameters",
  UNKNOWN_OPERATION: "route",
  METHOD_NOT_ALLOWED: "route",
  STATE_UNAVAILABLE: "entities",
  NOT_ALLOWED_IN_STATE: "actions",
  BUSINESS_RULE_BROKEN: "actions",
};

type Entry = { name: string; status: number; code: number; title: string };

function readEntries(): Entry[] {
  return Object.entries(PANDAPON_ERRORS).map(([name, e]) => ({ name, status: e.status, code: e.code, title: e.title }));
}

function isPossible(operation: Operation, name: string): boolean {
  switch (WHERE[name as PandaponErrorName]) {
    case "body":
      return operation.meta.requestIn === "body";
    case "parameters":
      return operation.request !== undefined;
    case "route":
      return false;
    case "entities":
      return getWiredOperations().viewed.has(operation.meta.name) || getWiredOperations().acted.has(operation.meta.name);
    case "actions":
      return getWiredOperations().acted.has(operation.meta.name);
    default:
      return true;
  }
}

/** The names of the table's entries the operation can answer. */
export function listOperationErrors(operation: Operation): string[] {
  return readEntries()
    .filter((e) => isPossible(operation, e.name))
    .map((e) => e.name);
}

/**
 * The operation's error answers, one per HTTP status: the error envelope (data null) with one
 * example per entry of the mock's error table, read when called.
 */
export function toOpenApiErrorResponses(operation: Operation): Record<string, JsonSchema> {
  const byStatus = new Map<number, Entry[]>();
  for (const entry of readEntries()) {
    if (isPossible(operation, entry.name)) byStatus.set(entry.status, [...(byStatus.get(entry.status) ?? []), entry]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, entries]) => [
        String(status),
        {
          description: `${entries.map((e) => `${e.title} (code ${e.code})`).join("; ")}. From the mock's error table (PandaPon's own is not documented); msg says what failed and what to do.`,
          content: {
            "application/json": {
              schema: { $ref: "#/components/schemas/PandaponError" },
              examples: Object.fromEntries(entries.map((e) => [e.name, { $ref: `#/components/examples/${e.name}` }])),
            },
          },
        },
      ]),
  );
}

/** `components.examples` for the named entries: the envelope the mock answers, its msg the entry's title. */
export function toOpenApiErrorExamples(names: Iterable<string>): Record<string, JsonSchema> {
  const wanted = new Set(names);
  return Object.fromEntries(
    readEntries()
      .filter((e) => wanted.has(e.name))
      .map((e) => [
        e.name,
        {
          summary: `${e.status} ${e.code}: ${e.title}`,
          value: { requestId: null, code: e.code, developId: null, msg: e.title, data: null },
        },
      ]),
  );
}

/** What the table answers outside any documented operation, for the document's description. */
export function toRouteErrorText(): string {
  return readEntries()
    .filter((e) => WHERE[e.name as PandaponErrorName] === "route")
    .map((e) => `${e.title}: HTTP ${e.status}, code ${e.code}`)
    .join("; ");
}
