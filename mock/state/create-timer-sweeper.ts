import type { StateService } from "./create-state.js";
import type { DueKey } from "./store.js";

export interface TimerSweeperOptions {
  /** How often real time is checked for timers falling due (real ms; default 250). Clock moves also wake it. */
  pollMs?: number;
  /** Entities fired per page; the sweeper yields to other work between pages (default 100). */
  pageSize?: number;
  log?: (line: string) => void;
}

/** Fires the timers of stored entities as the virtual clock passes them. */
export interface TimerSweeper {
  /** Starts a sweep now (or another one right after the running one). */
  wake(): void;
  /** Resolves once a sweep found nothing more due. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Without it, a stored entity's due timers are applied only when someone next reads or writes it,
 * so a refund closed by its timeout would push nothing until then. The sweeper wakes when the clock
 * is moved and as real time passes, and fires every due timer of stored entities a page at a time
 * (store.listDue: an index on each entity's next timer), yielding between pages so API requests
 * are never held behind a long sweep. Born entities are not stored and need nothing.
 */
export function createTimerSweeper(state: StateService, options: TimerSweeperOptions = {}): TimerSweeper {
  const pageSize = options.pageSize ?? 100;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  const sweep = async (): Promise<void> => {
    do {
      again = false;
      let after: DueKey | undefined;
      do {
        if (stopped) return;
        const page = await state.fireDueTimers({ limit: pageSize, ...(after ? { after } : {}) });
        after = page.next ?? undefined;
        if (after) await new Promise((resolve) => setImmediate(resolve));
      } while (after);
    } while (again && !stopped);
  };
  const wake = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = sweep()
      .catch((error: unknown) => options.log?.(`mock timers: ${(error as Error).message}`))
      .finally(() => {
        running = undefined;
      });
  };
  const poll = setInterval(wake, options.pollMs ?? 250);
  poll.unref();
  const stopListening = state.clock.onAdvance(() => wake());
  return {
    wake,
    async idle() {
      wake();
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      stopListening();
      await running;
    },
  };
}
