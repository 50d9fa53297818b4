import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import { describeViolations } from "../schemas/violations.js";
import { createJsonWriter } from "../protocol/json-wire.js";
import type { Producer } from "./generate/create-producer.js";
import { createProducer } from "./generate/create-producer.js";
import type { JournalEntry } from "./exchange.js";
import type { NonceCache } from "./nonce-cache.js";
import { createNonceCache } from "./nonce-cache.js";
import type { MockOptions } from "./options.js";

/** What every stage shares: options, the catalog, the data producer, replay memory, the journal. */
export interface MockCore {
  options: MockOptions;
  catalog: Catalog;
  producer: Producer;
  nonces: NonceCache;
  journal: JournalEntry[];
  writeJson: (kind: string, value: unknown) => string;
  record(entry: Omit<JournalEntry, "at">): void;
  /** Throws when a generated answer breaks its own schema (only with validateResponses). */
  assertValidResponse(operation: Operation, bodyText: string): void;
}

export function createCore(options: MockOptions, catalog: Catalog = getCatalog()): MockCore {
  const journal: JournalEntry[] = [];
  return {
    options,
    catalog,
    producer: createProducer(catalog, { seed: options.seed, refDate: options.refDate }),
    nonces: createNonceCache({ capacity: options.nonceCapacity, windowMs: Math.max(options.pandapon.windowMs, options.top.windowMs), now: options.now }),
    journal,
    writeJson: createJsonWriter(),
    record(entry) {
      const full = { at: new Date(options.now()).toISOString(), ...entry };
      journal.push(full);
      if (journal.length > options.journalSize) journal.shift();
      options.log?.(`${full.at} ${entry.api} ${entry.operation} → ${entry.status} ${entry.code} ${entry.message}`);
    },
    assertValidResponse(operation, bodyText) {
      if (!options.validateResponses) return;
      const violations = operation.checkResponse(JSON.parse(bodyText));
      if (violations.length > 0) {
        throw new Error(`Generated answer for "${operation.meta.name}" breaks its schema: ${describeViolations(violations)}.`);
      }
    },
  };
}
