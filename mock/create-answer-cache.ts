import type { Operation } from "../schemas/catalog.js";
import { createBoundedMap } from "./bounded-map.js";
import type { AnswerFormat, DataChange, EncodedAnswer, Producer } from "./generate/create-producer.js";
import { toCanonicalText } from "./generate/create-producer.js";
import { hashToSeed } from "./generate/randomizer.js";

/** What an answer weighs besides its texts: its key's prefix and the members around it. */
const ENTRY_OVERHEAD = 100;
/** An answer weighing more than this share of the cache is not kept: it would push out many small ones. */
const LARGEST_ANSWER_SHARE = 1 / 16;

export interface AnswerCache {
  /**
   * The encoded data of an answer: remembered (from its request's second time), or produced. A view
   * of entities is remembered under its key too (the entities' versions), and changed when produced.
   */
  produce(operation: Operation, request: unknown, format: AnswerFormat, view?: { key: string; change: DataChange }): EncodedAnswer;
  readSize(): { entries: number; bytes: number };
}

/**
 * Answers are a pure function of (seed, operation, request, format): a remembered answer is byte for
 * byte what generation would give, so repeated requests (clients polling a refund) skip the work.
 * An answer weighs its encoded text (wire text: one byte a character) and its request's canonical
 * text (the key), counted alike: requests are mostly ASCII.
 */
export function createAnswerCache(producer: Producer, limits: { entries: number; bytes: number }): AnswerCache {
  const answers = createBoundedMap<EncodedAnswer>(limits.entries, {
    maxBytes: limits.bytes,
    sizeOf: (key, answer) => ENTRY_OVERHEAD + key.length + answer.text.length,
    maxEntryBytes: limits.bytes * LARGEST_ANSWER_SHARE,
  });
  // An answer is kept from the second time its request is seen: a request seen once (a new id every
  // time) would only push 2 KB texts through the heap's old generation, which cost ~15% of the
  // server's CPU per fresh answer. What is remembered of a request is a 32-bit hash, no text.
  const seen = createBoundedMap<true, number>(limits.entries * 4);
  return {
    produce(operation, request, format, view) {
      const canonical = toCanonicalText(request);
      const key = view ? `${format}|${operation.meta.name}|${canonical}|${view.key}` : `${format}|${operation.meta.name}|${canonical}`;
      const cached = answers.get(key);
      if (cached) return cached;
      const answer = producer.produceAnswer(operation, request, format, canonical, view?.change);
      const hash = hashToSeed(key);
      if (seen.get(hash)) answers.set(key, answer);
      else seen.set(hash, true);
      return answer;
    },
    readSize: () => ({ entries: answers.size, bytes: answers.bytes }),
  };
}
