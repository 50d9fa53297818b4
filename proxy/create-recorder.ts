import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IdentifiedRequest } from "../mock/replay/identify-request.js";
import { maskRecordedText } from "../mock/replay/mask-recorded.js";
import type { Recording } from "../mock/replay/recording.js";
import { RECORDING_FORMAT, toRecordingFileName, toRecordingText, toRequestKey } from "../mock/replay/recording.js";

export interface RecordedAnswer {
  status: number;
  contentType: string;
  /** The answer's body, decoded (no Content-Encoding). */
  body: Buffer;
}

export interface Recorder {
  /** Writes one exchange; returns its file name. */
  record(identified: IdentifiedRequest, method: string, path: string, answer: RecordedAnswer, secrets: readonly string[]): string;
}

/**
 * Writes each exchange to `dir` as its own file (see mock/replay/recording.ts): the same traffic
 * recorded again gives the same names; credentials, signatures, user and developer ids and phone
 * numbers are masked, in the payload by member name, in the answer by name and by every credential
 * value the request carried.
 */
export function createRecorder(dir: string, now: () => number = Date.now): Recorder {
  mkdirSync(dir, { recursive: true });
  const sequences = new Map<string, number>();
  return {
    record(identified, method, path, answer, secrets) {
      const { business, key } = toRequestKey(identified);
      const sequence = (sequences.get(key) ?? 0) + 1;
      sequences.set(key, sequence);
      const recording: Recording = {
        format: RECORDING_FORMAT,
        api: identified.api,
        operation: identified.operation.meta.name,
        key,
        sequence,
        recordedAt: new Date(now()).toISOString(),
        request: { method, path, format: identified.format, business: maskRecordedText(business, secrets) },
        answer: { status: answer.status, contentType: answer.contentType, body: maskRecordedText(answer.body.toString("utf8"), secrets) },
      };
      const file = toRecordingFileName(identified.operation, key, sequence);
      writeFileSync(join(dir, file), toRecordingText(recording));
      return file;
    },
  };
}
