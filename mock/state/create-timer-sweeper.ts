import type { StateService } from "./create-state.js";
import type { DueKey } from "./store.js";
import type { WakeLoop } from "./create-wake-loop.js";
import { createWakeLoop } from "./create-wake-loop.js";

export interface TimerSweeperOptions {
  /** How often real time is checked for timers falling due (real ms; default 250). Clock moves also wake it. */
  pollMs?: number;
  /** Entities fired per page; the sweeper yields to other work between pages (default 100). */
  pageSize?: number;
  log?: (line: string) => void;
}

/** Fires the timers of stored entities as the virtual clock passes them (idle: a sweep found nothing more due). */
export type TimerSweeper = WakeLoop;

/**
 * Without it, a stored entity's due timers are applied only when someone next reads or writes it,
 * so a refund closed by its timeout would push nothing until then. The sweeper wakes when the clock
 * is moved and as real time passes, and fires every due timer of stored entities a page at a time
 * (store.listDue: an index on each entity's next timer), yielding between pages so API requests
 * are never held behind a long sweep. Born entities are not stored and need nothing.
 */
export function createTimerSweeper(state: StateService, options: TimerSweeperOptions = {}): TimerSweeper {
  const pageSize = options.pageSize ?? 100;
  return createWakeLoop(
    async (loop) => {
      let after: DueKey | undefined;
      do {
        if (loop.stopped) return;
        const page = await state.fireDueTimers({ limit: pageSize, ...(after ? { after } : {}) });
        after = page.next ?? undefined;
        if (after) await new Promise((resolve) => setImmediate(resolve));
      } while (after);
    },
    { clock: state.clock, pollMs: options.pollMs ?? 250, onError: (error) => options.log?.(`mock timers: ${error.message}`) },
  );
}
