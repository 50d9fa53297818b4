import type { PushService } from "./push/create-push-service.js";
import type { Catalog, Operation } from "../schemas/catalog.js";
import { getCatalog } from "../schemas/catalog.js";
import { describeViolations } from "../schemas/violations.js";
import type { WireText } from "../protocol/wire-text.js";
import { MESSAGE_LIMIT, toCappedText } from "../protocol/capped-text.js";
import { applyDataEdits } from "./apply-data-edits.js";
import { checkAnswer } from "./check-answer.js";
import type { DataEdit } from "./state/operation-wiring.js";
import { createAnswerCache } from "./create-answer-cache.js";
import type { AnswerFormat, EncodedAnswer, Producer } from "./generate/create-producer.js";
import { createProducer } from "./generate/create-producer.js";
import type { JournalEntry, JournalNote, MockRequest, MockResponse } from "./exchange.js";
import { JSON_TYPE, XML_TYPE } from "./exchange.js";
import type { TimerSweeper } from "./state/create-timer-sweeper.js";
import type { NonceMemory } from "./nonce-memory.js";
import { createNonceMemory } from "./nonce-memory.js";
import type { MockOptions } from "./options.js";
import type { Journal } from "./journal.js";
import { createJournal } from "./journal.js";
import type { RuleBook } from "./control/rule-book.js";
import { createRuleBook } from "./control/rule-book.js";

/** What every stage shares: options, the catalog, the data producer, replay memory, the journal. */
export interface MockCore {
  options: MockOptions;
  /** Message pushes, when the mock is stateful and pushes are enabled (set by createApp). */
  pushes?: PushService;
  /** What fires stored entities' timers as the clock passes them, when the mock is stateful (set by createApp). */
  timers?: TimerSweeper;
  catalog: Catalog;
  producer: Producer;
  nonces: NonceMemory;
  /** The request journal (bodies included, masked when read): see journal.ts. */
  journal: Journal;
  /** The rules that change answers: see control/rule-book.ts. */
  rules: RuleBook;
  /** The last entries (at most `journalSize` of them and `journalBytes` of text), oldest first, as shown (masked). */
  readJournal(): JournalEntry[];
  /** How full the journal and the answer cache are, in entries and bytes (for tests and measurements). */
  readStoreSizes(): StoreSizes;
  /** Journals a line with no request or answer beside it (and logs it). */
  record(note: JournalNote): void;
  /** Journals an exchange: the answer's note with the request and the answer (and logs the note). */
  recordExchange(request: MockRequest | undefined, response: MockResponse): void;
  /**
   * The success answer of every protocol and format: the data encoded for `format` (cached from a
   * request's second time, or produced) → `wrap` writes the envelope around it → the body is checked
   * against the response schema (with validateResponses; a broken answer throws, a fault of the mock)
   * → journaled → sent. With `edits` (what the entities show: see mock/state/operation-wiring.ts)
   * the data is edited before it is encoded (the members edited are not generated); cached only under a `viewKey` (the versions of the
   * entities a view shows), never after an action.
   */
  answer(operation: Operation, request: unknown, format: AnswerFormat, wrap: (data: EncodedAnswer) => WireText, edits?: readonly DataEdit[], viewKey?: string): MockResponse;
}

export interface StoreSizes {
  journal: { entries: number; bytes: number };
  answerCache: { entries: number; bytes: number };
}

/** What the journal says of a success, by API (the code and message its envelope carries). */
const SUCCESS_ENTRY = { pandapon: { code: 200, message: "成功" }, top: { code: 0, message: "success" } } as const;
const CONTENT_TYPES: Record<AnswerFormat, string> = { json: JSON_TYPE, xml: XML_TYPE };

export function createCore(options: MockOptions, catalog: Catalog = getCatalog()): MockCore {
  const journal = createJournal({
    entries: options.journalSize,
    bytes: options.journalBytes,
    bodyBytes: options.journalBodyBytes,
    secrets: [...options.pandapon.keys.map((k) => k.secret), ...options.top.apps.map((a) => a.secret), ...(options.admin.token ? [options.admin.token] : [])],
    now: options.now,
  });
  const producer = createProducer(catalog, { seed: options.seed, refDate: options.refDate });
  const answers = createAnswerCache(producer, { entries: options.answerCacheSize, bytes: options.answerCacheBytes });
  const log = (note: JournalNote): void => {
    if (options.log) options.log(`${new Date(options.now()).toISOString()} ${note.api} ${toLogText(note.operation)} → ${note.status} ${note.code} ${toLogText(note.message)}${note.rule ? ` (rule ${toLogText(note.rule)})` : ""}`);
  };
  const record = (note: JournalNote): void => {
    journal.add(note, undefined, undefined);
    log(note);
  };
  const rules = createRuleBook({ seed: options.seed, catalog });
  if (options.rules.length > 0) rules.add(options.rules);
  return {
    options,
    catalog,
    producer,
    nonces: createNonceMemory({ bytes: options.nonceMemoryBytes, windowMs: options.pandapon.windowMs, now: options.now }),
    journal,
    rules,
    readJournal: () => journal.list().reverse(),
    readStoreSizes: () => ({
      journal: { entries: journal.size, bytes: journal.bytes },
      answerCache: answers.readSize(),
    }),
    record,
    recordExchange(request, response) {
      const note = response.note ?? { api: "mock", operation: request ? `${request.method} ${request.path}` : "-", status: response.status, code: response.status, message: "" };
      journal.add(note, request, response);
      log(note);
    },
    answer(operation, request, format, wrap, edits, viewKey) {
      const change = edits && { paths: edits.map((e) => e.path), apply: (generated: unknown) => applyDataEdits(generated, edits) };
      const data = !change ? answers.produce(operation, request, format) : viewKey !== undefined ? answers.produce(operation, request, format, { key: viewKey, change }) : producer.produceAnswer(operation, request, format, undefined, change);
      const body = wrap(data);
      if (options.validateResponses) {
        const violations = checkAnswer(catalog, operation, format, body);
        if (violations.length > 0) {
          throw new Error(`Generated answer for "${operation.meta.name}" (${format}) breaks its schema: ${describeViolations(violations)}.`);
        }
      }
      // Only PandaPon and TOP operations are answered (callbacks are sent by the API, not answered).
      const api = operation.meta.api === "top" ? "top" : "pandapon";
      return { status: 200, contentType: CONTENT_TYPES[format], body, note: { api, operation: operation.meta.name, status: 200, ...SUCCESS_ENTRY[api] } };
    },
  };
}

/** A log line's share of a text: capped (the journal keeps the whole message). */
function toLogText(text: string): string {
  return toCappedText(text, MESSAGE_LIMIT);
}
