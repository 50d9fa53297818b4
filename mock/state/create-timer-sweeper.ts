import type { PassedOver, StateService } from "./create-state.js";
import type { DueKey } from "./store.js";
import type { WakeLoop } from "./create-wake-loop.js";
import { createWakeLoop } from "./create-wake-loop.js";

export interface TimerSweeperOptions {
  /** How often real time is checked for timers falling due (real ms; default 250). Clock moves also wake it. */
  pollMs?: number;
  /** Entities fired per page; the sweeper yields to other work between pages (default 100). */
  pageSize?: number;
  /** Real ms after which a sweep starts from the first due entity again, the ones passed over included (default 60 s). */
  rescanMs?: number;
  log?: (line: string) => void;
}

/** Due entities whose timers the sweeps could not fire, as of the last sweep from the start (at most MAX_PASSED_OVER). */
export interface StuckTimers {
  entities: number;
  /** Of a type this mock has no lifecycle for. */
  unknownType: number;
  /** Their write refused (the store full, or another writer came first). */
  refused: number;
}

/** Fires the timers of stored entities as the virtual clock passes them (idle: a sweep found nothing more due). */
export interface TimerSweeper extends WakeLoop {
  stuck(): StuckTimers;
}

/** Passed-over entities remembered (each logged once per version); beyond it the earliest are forgotten (and may be logged again). */
export const MAX_PASSED_OVER = 10_000;

const toKeyText = (key: DueKey) => `${key.tenant}\u0000${key.type}\u0000${key.id}`;

/**
 * Without it, a stored entity's due timers are applied only when someone next reads or writes it,
 * so a refund closed by its timeout would push nothing until then. The sweeper wakes when the clock
 * is moved and as real time passes, and fires every due timer of stored entities a page at a time
 * (store.listDue: an index on each entity's next timer), yielding between pages so API requests
 * are never held behind a long sweep. Born entities are not stored and need nothing.
 *
 * A due entity it cannot fire (its type has no lifecycle here, its write refused: the store full,
 * another writer first) is logged once per version and counted (stuck(), shown by GET
 * /__mock/health), not retried at every wake-up: a sweep starts after the run of such entities at
 * the head of the due order, and from the head again every `rescanMs` (a freed store, a read that
 * fired them meanwhile), which also renews the count.
 */
export function createTimerSweeper(state: StateService, options: TimerSweeperOptions = {}): TimerSweeper {
  const pageSize = options.pageSize ?? 100;
  const rescanMs = options.rescanMs ?? 60_000;
  // Passed over since the last sweep from the head (key → version and reason), and those of the sweep before it.
  let passed = new Map<string, PassedOver>();
  let previous = new Map<string, PassedOver>();
  // The last of the run of passed-over entities at the head of the due order, and since when sweeps start after it.
  let skip: { after: DueKey; since: number } | undefined;
  const remember = (item: PassedOver) => {
    const text = toKeyText(item.key);
    const known = passed.get(text) ?? previous.get(text);
    if (known?.version !== item.version || known.reason !== item.reason) options.log?.(`mock timers: the due timers of ${item.key.type} "${item.key.id}" (tenant ${item.key.tenant}) are not fired: ${item.message}. Passed over until it changes (logged once).`);
    passed.delete(text);
    if (passed.size >= MAX_PASSED_OVER) passed.delete(passed.keys().next().value!);
    passed.set(text, item);
  };
  const loop = createWakeLoop(
    async (wake) => {
      const fromHead = skip === undefined || performance.now() - skip.since >= rescanMs;
      if (fromHead) {
        previous = passed;
        passed = new Map();
        skip = undefined;
      }
      let after: DueKey | undefined = skip?.after;
      let atHead = true;
      do {
        if (wake.stopped) return;
        const page = await state.fireDueTimers({ limit: pageSize, ...(after ? { after } : {}) });
        for (const item of page.passedOver) remember(item);
        if (atHead && page.leadingPassedOver > 0) skip = { after: page.passedOver[page.leadingPassedOver - 1]!.key, since: skip?.since ?? performance.now() };
        atHead &&= page.allPassedOver;
        after = page.next ?? undefined;
        if (after) await new Promise((resolve) => setImmediate(resolve));
      } while (after);
      if (fromHead) previous = new Map();
    },
    { clock: state.clock, pollMs: options.pollMs ?? 250, onError: (error) => options.log?.(`mock timers: ${error.message}`) },
  );
  return Object.assign(loop, {
    stuck(): StuckTimers {
      const all = [...passed.values()];
      const refused = all.filter((p) => p.reason !== "unknown-type").length;
      return { entities: all.length, unknownType: all.length - refused, refused };
    },
  });
}
