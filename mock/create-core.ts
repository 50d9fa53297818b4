import type { PushService } from "./push/create-push-service.js";
import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import { describeViolations } from "../schemas/violations.js";
import { MESSAGE_LIMIT, toCappedText, toOwnText } from "../protocol/capped-text.js";
import type { WireText } from "../protocol/wire-text.js";
import type { BoundedMap } from "./bounded-map.js";
import { createBoundedMap } from "./bounded-map.js";
import { applyDataEdits } from "./apply-data-edits.js";
import { checkAnswer } from "./check-answer.js";
import type { DataEdit } from "./state/operation-wiring.js";
import { createAnswerCache } from "./create-answer-cache.js";
import type { AnswerFormat, EncodedAnswer, Producer } from "./generate/create-producer.js";
import { createProducer } from "./generate/create-producer.js";
import type { JournalEntry, MockResponse } from "./exchange.js";
import { JSON_TYPE, XML_TYPE } from "./exchange.js";
import type { NonceMemory } from "./nonce-memory.js";
import { createNonceMemory } from "./nonce-memory.js";
import type { MockOptions } from "./options.js";

/** What every stage shares: options, the catalog, the data producer, replay memory, the journal. */
export interface MockCore {
  options: MockOptions;
  /** Message pushes, when the mock is stateful and pushes are enabled (set by createApp). */
  pushes?: PushService;
  catalog: Catalog;
  producer: Producer;
  nonces: NonceMemory;
  /** The last entries (at most `journalSize` of them and `journalBytes` of text), oldest first. */
  readJournal(): JournalEntry[];
  /** How full the journal and the answer cache are, in entries and bytes (for tests and measurements). */
  readStoreSizes(): StoreSizes;
  record(entry: Omit<JournalEntry, "at">): void;
  /**
   * The success answer of every protocol and format: the data encoded for `format` (cached from a
   * request's second time, or produced) → `wrap` writes the envelope around it → the body is checked
   * against the response schema (with validateResponses; a broken answer throws, a fault of the mock)
   * → journaled → sent. With `edits` (what the entities show: see mock/state/operation-wiring.ts)
   * the data is edited before it is encoded; cached only under a `viewKey` (the versions of the
   * entities a view shows), never after an action.
   */
  answer(operation: Operation, request: unknown, format: AnswerFormat, wrap: (data: EncodedAnswer) => WireText, edits?: readonly DataEdit[], viewKey?: string): MockResponse;
}

export interface StoreSizes {
  journal: { entries: number; bytes: number };
  answerCache: { entries: number; bytes: number };
}

/** What an entry weighs besides its texts: the journal's JSON members. */
const ENTRY_OVERHEAD = 100;
/** What the journal says of a success, by API (the code and message its envelope carries). */
const SUCCESS_ENTRY = { pandapon: { code: 200, message: "成功" }, top: { code: 0, message: "success" } } as const;
const CONTENT_TYPES: Record<AnswerFormat, string> = { json: JSON_TYPE, xml: XML_TYPE };

export function createCore(options: MockOptions, catalog: Catalog = getCatalog()): MockCore {
  // Keyed by a running number; entries weigh their texts (capped by record) and the members around them.
  const journal: BoundedMap<JournalEntry, number> = createBoundedMap(options.journalSize, {
    maxBytes: options.journalBytes,
    sizeOf: (_, entry) => ENTRY_OVERHEAD + entry.operation.length + entry.message.length,
  });
  let recorded = 0;
  const producer = createProducer(catalog, { seed: options.seed, refDate: options.refDate });
  const answers = createAnswerCache(producer, { entries: options.answerCacheSize, bytes: options.answerCacheBytes });
  const record = (entry: Omit<JournalEntry, "at">): void => {
    // What an entry repeats of a request is capped (the error builders cap their messages already)
    // and copied: a slice of a request's text would keep all of that text alive as long as the entry.
    const full = { at: options.now(), ...entry, operation: toOwnText(toCappedText(entry.operation)), message: toOwnText(toCappedText(entry.message, MESSAGE_LIMIT)) };
    journal.set(recorded++, full);
    options.log?.(`${new Date(full.at).toISOString()} ${full.api} ${full.operation} → ${full.status} ${full.code} ${full.message}`);
  };
  return {
    options,
    catalog,
    producer,
    nonces: createNonceMemory({ bytes: options.nonceMemoryBytes, windowMs: options.pandapon.windowMs, now: options.now }),
    readJournal: () => [...journal.values()],
    readStoreSizes: () => ({
      journal: { entries: journal.size, bytes: journal.bytes },
      answerCache: answers.readSize(),
    }),
    record,
    answer(operation, request, format, wrap, edits, viewKey) {
      const edit = edits && ((generated: unknown) => applyDataEdits(generated, edits));
      const data = !edit ? answers.produce(operation, request, format) : viewKey !== undefined ? answers.produce(operation, request, format, { key: viewKey, edit }) : producer.produceAnswer(operation, request, format, undefined, edit);
      const body = wrap(data);
      if (options.validateResponses) {
        const violations = checkAnswer(catalog, operation, format, body);
        if (violations.length > 0) {
          throw new Error(`Generated answer for "${operation.meta.name}" (${format}) breaks its schema: ${describeViolations(violations)}.`);
        }
      }
      // Only PandaPon and TOP operations are answered (callbacks are sent by the API, not answered).
      const api = operation.meta.api === "top" ? "top" : "pandapon";
      record({ api, operation: operation.meta.name, status: 200, ...SUCCESS_ENTRY[api] });
      return { status: 200, contentType: CONTENT_TYPES[format], body };
    },
  };
}
