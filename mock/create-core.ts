import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import { describeViolations } from "../schemas/violations.js";
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
  /** The last `journalSize` entries, oldest first. */
  readJournal(): JournalEntry[];
  record(entry: Omit<JournalEntry, "at">): void;
  /** The JSON text of an operation's Data for a request: cached (from its second time), or generated. */
  produceDataText(operation: Operation, request: unknown): AnswerText;
  /** Throws when an answer (its body as wire text) breaks its own schema (only with validateResponses). */
  assertValidResponse(operation: Operation, body: string): void;
}

export function createCore(options: MockOptions, catalog: Catalog = getCatalog()): MockCore {
  const journal: JournalEntry[] = [];
  let next = 0;
  const producer = createProducer(catalog, { seed: options.seed, refDate: options.refDate });
  // Answers are a pure function of (seed, operation, request): a remembered answer is byte for byte
  // what generation would give, so repeated requests (clients polling a refund) skip the work.
  const answers: BoundedMap<AnswerText> = createBoundedMap(options.answerCacheSize);
  // An answer is kept from the second time its request is seen: a request seen once (a new id every
  // time) would only push 2 KB texts through the heap's old generation, which cost ~15% of the
  // server's CPU per fresh answer. What is remembered of a request is a 32-bit hash, no text.
  const seen: BoundedMap<true, number> = createBoundedMap(options.answerCacheSize * 4);
  return {
    options,
    catalog,
    producer,
    nonces: createNonceMemory({ bytes: options.nonceMemoryBytes, windowMs: options.pandapon.windowMs, now: options.now }),
    readJournal: () => [...journal.slice(next), ...journal.slice(0, next)],
    record(entry) {
      const full = { at: options.now(), ...entry };
      if (journal.length < options.journalSize) journal.push(full);
      else if (options.journalSize > 0) journal[next] = full;
      if (options.journalSize > 0 && journal.length === options.journalSize) next = (next + 1) % options.journalSize;
      options.log?.(`${new Date(full.at).toISOString()} ${entry.api} ${entry.operation} → ${entry.status} ${entry.code} ${entry.message}`);
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
