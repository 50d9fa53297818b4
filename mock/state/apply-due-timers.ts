import type { EmittedMessage } from "./apply-action.js";
import { applyAction } from "./apply-action.js";
import type { EntityRecord, EntityTimer } from "./entity.js";
import type { Lifecycle } from "./lifecycle.js";

/** Timers fired in one call at most (a lifecycle whose timeouts chain cannot loop for ever). */
export const MAX_TIMERS_FIRED = 100;

function findDue(timers: readonly EntityTimer[], now: number): EntityTimer | undefined {
  let due: EntityTimer | undefined;
  for (const timer of timers) if (timer.at <= now && (!due || timer.at < due.at)) due = timer;
  return due;
}

/**
 * Fires, in order, every timer of the record that falls due by `now`, each at its own time, as the
 * virtual clock would have (what a read or a write does first). A timer whose action is refused
 * is dropped. Pure: the record passed in is not changed; the messages the timers' transitions push
 * are added to `messages` when given.
 */
export function applyDueTimers(lifecycle: Lifecycle, record: EntityRecord, now: number, seed: string | number, messages?: EmittedMessage[]): EntityRecord {
  let current = record;
  for (let fired = 0; fired < MAX_TIMERS_FIRED; fired++) {
    const due = findDue(current.timers, now);
    if (!due) break;
    const outcome = applyAction(lifecycle, current, { action: due.action, at: due.at }, seed);
    current = outcome.ok ? outcome.record : { ...current, timers: current.timers.filter((t) => t !== due) };
    if (outcome.ok && outcome.messages) messages?.push(...outcome.messages);
  }
  return current;
}
