import type { EmittedMessage } from "./apply-action.js";
import { applyAction, applyActionInPlace } from "./apply-action.js";
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
 * are added to `messages` when given. `inPlace` (a record only the caller holds, see
 * applyActionInPlace): the record is changed instead, and no messages are made.
 */
export function applyDueTimers(lifecycle: Lifecycle, record: EntityRecord, now: number, seed: string | number, messages?: EmittedMessage[], inPlace = false): EntityRecord {
  let current = record;
  for (let fired = 0; fired < MAX_TIMERS_FIRED; fired++) {
    const due = findDue(current.timers, now);
    if (!due) break;
    const outcome = (inPlace ? applyActionInPlace : applyAction)(lifecycle, current, { action: due.action, at: due.at }, seed);
    if (outcome.ok) current = outcome.record;
    else if (inPlace) current.timers = current.timers.filter((t) => t !== due);
    else current = { ...current, timers: current.timers.filter((t) => t !== due) };
    if (outcome.ok && outcome.messages) messages?.push(...outcome.messages);
  }
  return current;
}
