import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Catalog, Operation } from "../../schemas/catalog.js";
import { toOperationStem } from "../../checks/to-operation.js";
import type { IdentifiedRequest } from "./identify-request.js";
import { maskRecordedValue } from "./mask-recorded.js";
import { toCanonicalText, toPayloadHash } from "./to-canonical-text.js";

export const RECORDING_FORMAT = "pandapon-mock recording 1";

/** One recorded exchange: one file, `<operation stem>-<key>-<sequence>.json`. */
export interface Recording {
  format: typeof RECORDING_FORMAT;
  api: "pandapon" | "top";
  /** The catalog's operation name (`/alibaba/refund/info`, `taobao.pc.refund.detail`). */
  operation: string;
  /** 12 hex digits of SHA-256 over the operation and the canonical business payload (masked). */
  key: string;
  /** 1 for the first exchange of this key in a recording run, 2 for the next… */
  sequence: number;
  /** When it was recorded (ISO). */
  recordedAt: string;
  request: {
    method: string;
    path: string;
    /** TOP's answer format; PandaPon: json. */
    format: "json" | "xml";
    /** The business payload as canonical JSON text (sorted members, numbers as sent, masked): what replay matches. */
    business: string;
  };
  answer: {
    status: number;
    contentType: string;
    /** The answer's body as the API sent it, masked values aside. */
    body: string;
  };
}

/** What a request is matched by: the canonical text of its masked business payload, and its key. */
export function toRequestKey(identified: IdentifiedRequest): { business: string; key: string } {
  const business = toCanonicalText(maskRecordedValue(identified.business));
  return { business, key: toPayloadHash(identified.operation.meta.name, business) };
}

/** A recording's file name: stable for the same operation, payload and position in the run. */
export function toRecordingFileName(operation: Operation, key: string, sequence: number): string {
  return `${toOperationStem(operation)}-${key}-${String(sequence).padStart(4, "0")}.json`;
}

/** A recording's text: two-space JSON, members in a fixed order, a final newline (diffs well when committed). */
export function toRecordingText(recording: Recording): string {
  return JSON.stringify(recording, null, 2) + "\n";
}

export type RecordingReading = { file: string; ok: true; recording: Recording } | { file: string; ok: false; reason: string };

/** Every `*.json` recording of a folder, in file-name order; a file that is not one is a reason, not a throw. */
export function readRecordings(dir: string, catalog: Catalog): RecordingReading[] {
  const files = readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
  return files.map((file) => {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch (error) {
      return { file, ok: false, reason: `is not JSON: ${(error as Error).message}` };
    }
    const recording = value as Recording;
    if (recording?.format !== RECORDING_FORMAT) return { file, ok: false, reason: `is not a recording (format is not "${RECORDING_FORMAT}")` };
    if (!catalog.find(recording.operation)) return { file, ok: false, reason: `records "${String(recording.operation)}", an operation the catalog does not know` };
    if (typeof recording.answer?.body !== "string" || typeof recording.request?.business !== "string") return { file, ok: false, reason: "lacks request.business or answer.body" };
    return { file, ok: true, recording };
  });
}
