/**
 * Remembers recent answers. Answers are a pure function of (seed, operation, request), so a
 * cached answer is byte-for-byte what generation would give; the cache only saves the work.
 * Bounded: at most `capacity` entries, least recently used forgotten first; 0 turns it off.
 */
export interface AnswerCache<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  readonly size: number;
}

export function createAnswerCache<T>(capacity: number): AnswerCache<T> {
  const entries = new Map<string, T>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      if (capacity <= 0) return;
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    get size() {
      return entries.size;
    },
  };
}
