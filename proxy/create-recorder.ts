import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Operation } from "../schemas/catalog.js";
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

/** One exchange ready to record, masked: a recording but for its place in the run (sequence, time), which the recorder gives. */
export type RecordedExchange = Pick<Recording, "api" | "operation" | "key" | "request" | "answer">;

/**
 * An exchange as it will be recorded, credentials, signatures, user and developer ids and phone
 * numbers masked — in the payload by member name, in the answer by name and by every credential
 * value the request carried. Plain data: made where the exchange is checked (a worker thread), written
 * by the recorder.
 */
export function toRecordedExchange(identified: IdentifiedRequest, method: string, path: string, answer: RecordedAnswer, secrets: readonly string[]): RecordedExchange {
  const { business, key } = toRequestKey(identified);
  return {
    api: identified.api,
    operation: identified.operation.meta.name,
    key,
    request: { method, path, format: identified.format, business: maskRecordedText(business, secrets) },
    answer: { status: answer.status, contentType: answer.contentType, body: maskRecordedText(answer.body.toString("utf8"), secrets) },
  };
}

export interface Recorder {
  /** Writes one exchange of `operation`; returns its file name. */
  record(exchange: RecordedExchange, operation: Operation): string;
}

/**
 * Writes each exchange to `dir` as its own file (see mock/replay/recording.ts), numbered per key in
 * the order they are written: the same traffic recorded again gives the same names.
 */
export function createRecorder(dir: string, now: () => number = Date.now): Recorder {
  mkdirSync(dir, { recursive: true });
  const sequences = new Map<string, number>();
  return {
    record(exchange, operation) {
      const sequence = (sequences.get(exchange.key) ?? 0) + 1;
      sequences.set(exchange.key, sequence);
      const recording: Recording = {
        format: RECORDING_FORMAT,
        api: exchange.api,
        operation: exchange.operation,
        key: exchange.key,
        sequence,
        recordedAt: new Date(now()).toISOString(),
        request: exchange.request,
        answer: exchange.answer,
      };
      const file = toRecordingFileName(operation, exchange.key, sequence);
      writeFileSync(join(dir, file), toRecordingText(recording));
      return file;
    },
  };
}
