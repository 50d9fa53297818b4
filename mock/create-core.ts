import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import { describeViolations } from "../schemas/violations.js";
import { MESSAGE_LIMIT, toCappedText, toOwnText } from "../protocol/capped-text.js";
import { fromWireText } from "../protocol/wire-text.js";
import type { BoundedMap } from "./bounded-map.js";
import { createBoundedMap } from "./bounded-map.js";
import type { AnswerText, Producer } from "./generate/create-producer.js";
import { createProducer, toCanonicalText } from "./generate/create-producer.js";
import { hashToSeed } from "./generate/randomizer.js";
import type { JournalEntry } from "./exchange.js";
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
  /** The JSON text of an operation's Data for a request: cached (from its second time), or generated. */
  produceDataText(operation: Operation, request: unknown): AnswerText;
  /** Throws when an answer (its body as wire text) breaks its own schema (only with validateResponses). */
  assertValidResponse(operation: Operation, body: string): void;
}

export interface StoreSizes {
  journal: { entries: number; bytes: number };
  answerCache: { entries: number; bytes: number };
}

/** What an entry weighs besides its texts: the journal's JSON members, an answer's request id and key prefix. */
const ENTRY_OVERHEAD = 100;
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
  // Answers are a pure function of (seed, operation, request): a remembered answer is byte for byte
  // what generation would give, so repeated requests (clients polling a refund) skip the work.
  // An answer weighs its data text (wire text: one byte a character) and its request's canonical text
  // (the key), counted alike: requests are mostly ASCII.
  const answers: BoundedMap<AnswerText> = createBoundedMap(options.answerCacheSize, {
    maxBytes: options.answerCacheBytes,
    sizeOf: (key, answer) => ENTRY_OVERHEAD + key.length + answer.dataText.length,
    maxEntryBytes: options.answerCacheBytes * LARGEST_ANSWER_SHARE,
  });
  // An answer is kept from the second time its request is seen: a request seen once (a new id every
  // time) would only push 2 KB texts through the heap's old generation, which cost ~15% of the
  // server's CPU per fresh answer. What is remembered of a request is a 32-bit hash, no text.
  const seen: BoundedMap<true, number> = createBoundedMap(options.answerCacheSize * 4);
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
    record(entry) {
      // What an entry repeats of a request is capped (the error builders cap their messages already)
      // and copied: a slice of a request's text would keep all of that text alive as long as the entry.
      const full = { at: options.now(), ...entry, operation: toOwnText(toCappedText(entry.operation)), message: toOwnText(toCappedText(entry.message, MESSAGE_LIMIT)) };
      journal.set(recorded++, full);
      options.log?.(`${new Date(full.at).toISOString()} ${full.api} ${full.operation} → ${full.status} ${full.code} ${full.message}`);
    },
    produceDataText(operation, request) {
      const canonical = toCanonicalText(request);
      const key = `${operation.meta.name}|${canonical}`;
      const cached = answers.get(key);
      if (cached) return cached;
      const answer = producer.produceAnswerText(operation, request, canonical);
      const hash = hashToSeed(key);
      if (seen.get(hash)) answers.set(key, answer);
      else seen.set(hash, true);
      return answer;
    },
    assertValidResponse(operation, body) {
      if (!options.validateResponses) return;
      const violations = operation.checkResponse(JSON.parse(fromWireText(body)));
      if (violations.length > 0) {
        throw new Error(`Generated answer for "${operation.meta.name}" breaks its schema: ${describeViolations(violations)}.`);
      }
    },
  };
}
