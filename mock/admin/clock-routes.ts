import type { Express } from "express";
import { toCappedText } from "../../protocol/capped-text.js";
import { toJsonText } from "../../protocol/json-wire.js";
import { InexactNumber } from "../../protocol/to-exact-number.js";
import type { StateService } from "../state/create-state.js";
import type { MockOptions } from "../options.js";
import type { TimerSweeper } from "../state/create-timer-sweeper.js";
import { ClockNotSavedError, ClockRangeError } from "../state/virtual-clock.js";
import { AdminError, readAdminBody, toHandler } from "./admin-request.js";

/** What GET /__mock/clock answers: the virtual time (ISO and epoch ms) and how it runs. */
function toClockAnswer(state: StateService): [number, unknown] {
  const now = state.clock.now();
  return [200, { now: new Date(now).toISOString(), epochMs: now, setting: state.clock.setting }];
}

/** A JSON number as read (a double, a bigint beyond 2^53, an InexactNumber), as a double; undefined for anything else. */
function toDouble(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return value instanceof InexactNumber ? value.toNumber() : undefined;
}

/** A value for a message: JSON, at most 40 characters. */
function toShown(value: unknown): string {
  return toCappedText(toJsonText(value) ?? "nothing", 40);
}

function readSeconds(value: unknown): number {
  const seconds = toDouble(value);
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) throw new AdminError(400, `advanceSeconds must be a number of seconds ≥ 0, not ${toShown(value)}.`);
  return seconds;
}

function readTime(value: unknown): number {
  const at = typeof value === "string" ? Date.parse(value) : toDouble(value);
  if (at === undefined || !Number.isFinite(at)) throw new AdminError(400, `set must be an ISO time or epoch milliseconds, not ${toShown(value)}.`);
  return at;
}

/**
 * GET /__mock/clock; POST /__mock/clock with one of {"advanceSeconds": N} (timers fall due as it
 * passes), {"set": time}, {"freeze": true} or {"freeze": false} (runs again). It answers once the
 * timers of stored entities that fell due have fired. A move beyond 2000-01-01…2999-12-31 (UTC) is
 * a 400 and the clock stays.
 */
export function addClockRoutes(admin: Express, options: MockOptions, timers: TimerSweeper | undefined): void {
  admin.get(
    "/__mock/clock",
    toHandler(options, async (_req, state) => toClockAnswer(state)),
  );
  admin.post(
    "/__mock/clock",
    toHandler(options, async (req, state) => {
      const body = await readAdminBody(req);
      const given = ["advanceSeconds", "set", "freeze"].filter((k) => body[k] !== undefined);
      if (given.length !== 1) throw new AdminError(400, `POST /__mock/clock takes one of advanceSeconds, set or freeze, not ${given.length === 0 ? "none" : given.join(" and ")}.`);
      try {
        if (body.advanceSeconds !== undefined) await state.clock.advance(readSeconds(body.advanceSeconds));
        else if (body.set !== undefined) await state.clock.set(readTime(body.set));
        else if (body.freeze === true) await state.clock.freeze();
        else if (body.freeze === false) await state.clock.resume();
        else throw new AdminError(400, "freeze must be true or false.");
      } catch (error) {
        if (error instanceof ClockNotSavedError) throw new AdminError(409, error.message);
        if (error instanceof ClockRangeError) throw new AdminError(400, error.message);
        throw error;
      }
      // The timers the move passed have fired (and their pushes are in the outbox) when it answers.
      await timers?.idle();
      return toClockAnswer(state);
    }),
  );
}
