import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import { describeViolations } from "../schemas/violations.js";
import { MESSAGE_LIMIT, toCappedText, toOwnText } from "../protocol/capped-text.js";
import type { WireText } from "../protocol/wire-text.js";
import type { BoundedMap } from "./bounded-map.js";
import { createBoundedMap } from "./bounded-map.js";
import { checkAnswer } from "./check-answer.js";
import type { AnswerFormat, EncodedAnswer, Producer } from "./generate/create-producer.js";
import { createProducer, toCanonicalText } from "./generate/create-producer.js";
import { hashToSeed } from "./generate/randomizer.js";
import type { JournalEntry, MockResponse } from "./exchange.js";
import { JSON_TYPE, XML_TYPE } from "./exchange.js";
import type { NonceMemory } from "./nonce-memory.js";
import { createNonceMemory } from "./nonce-memory.js";
import type { MockOptions } from "./options.js";

/** What every stage shares: options, the catalog, the data producer, replay memory, the journal. */
export interface MockCore {
  options: MockOptions;
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
   * → journaled → sent.
   */
  answer(operation: Operation, request: unknown, format: AnswerFormat, wrap: (data: EncodedAnswer) => WireText): MockResponse;
}

export interface StoreSizes {
  journal: { entries: number; bytes: number };
  answerCache: { entries: number; bytes: number };
}

/** What an entry weighs besides its texts: the journal's JSON members, an answer's request id and key prefix. */
const ENTRY_OVERHEAD = 100;
/** What the journal says of a success, by API (the code and message its envelope carries). */
const SUCCESS_ENTRY = { pandapon: { code: 200, message: "成功" }, top: { code: 0, message: "success" } } as const;
const CONTENT_TYPES: Record<AnswerFormat, string> = { json: JSON_TYPE, xml: XML_TYPE };

/** An answer weighing more than this share of the cache is not kept: it would push out many small ones. */
const LARGEST_ANSWER_SHARE = 1 / 16;

export function createCore(options: MockOptions, catalog: Catalog = getCatalog()): MockCore {
  // Keyed by a running number; entries weigh their texts (capped by record) and the members around them.
  const journal: BoundedMap<JournalEntry, number> = createBoundedMap(options.journalSize, {
    maxBytes: options.journalBytes,
    sizeOf: (_, entry) => ENTRY_OVERHEAD + entry.operation.length + entry.message.length,
  });
  let recorded = 0;
  const producer = createProducer(catalog, { seed: options.seed, refDate: options.refDate });
  // Answers are a pure function of (seed, operation, request, format): a remembered answer is byte
  // for byte what generation would give, so repeated requests (clients polling a refund) skip the work.
  // An answer weighs its encoded text (wire text: one byte a character) and its request's canonical
  // text (the key), counted alike: requests are mostly ASCII.
  const answers: BoundedMap<EncodedAnswer> = createBoundedMap(options.answerCacheSize, {
    maxBytes: options.answerCacheBytes,
    sizeOf: (key, answer) => ENTRY_OVERHEAD + key.length + answer.text.length,
    maxEntryBytes: options.answerCacheBytes * LARGEST_ANSWER_SHARE,
  });
  // An answer is kept from the second time its request is seen: a request seen once (a new id every
  // time) would only push 2 KB texts through the heap's old generation, which cost ~15% of the
  // server's CPU per fresh answer. What is remembered of a request is a 32-bit hash, no text.
  const seen: BoundedMap<true, number> = createBoundedMap(options.answerCacheSize * 4);
  const produceEncoded = (operation: Operation, request: unknown, format: AnswerFormat): EncodedAnswer => {
    const canonical = toCanonicalText(request);
    const key = `${format}|${operation.meta.name}|${canonical}`;
    const cached = answers.get(key);
    if (cached) return cached;
    const answer = producer.produceAnswer(operation, request, format, canonical);
    const hash = hashToSeed(key);
    if (seen.get(hash)) answers.set(key, answer);
    else seen.set(hash, true);
    return answer;
  };
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
      answerCache: { entries: answers.size, bytes: answers.bytes },
    }),
    record,
    answer(operation, request, format, wrap) {
      const body = wrap(produceEncoded(operation, request, format));
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
