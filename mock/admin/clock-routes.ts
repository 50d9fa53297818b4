import type { Express } from "express";
import type { StateService } from "../state/create-state.js";
import type { MockOptions } from "../options.js";
import type { TimerSweeper } from "../state/create-timer-sweeper.js";
import { ClockNotSavedError } from "../state/virtual-clock.js";
import { AdminError, readAdminBody, toHandler } from "./admin-request.js";

/** What GET /__mock/clock answers: the virtual time (ISO and epoch ms) and how it runs. */
function toClockAnswer(state: StateService): [number, unknown] {
  const now = state.clock.now();
  return [200, { now: new Date(now).toISOString(), epochMs: now, setting: state.clock.setting }];
}

function readSeconds(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new AdminError(400, `advanceSeconds must be a number of seconds ≥ 0, not ${JSON.stringify(value)?.slice(0, 40)}.`);
  return value;
}

function readTime(value: unknown): number {
  const at = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isSafeInteger(Math.round(at))) throw new AdminError(400, `set must be an ISO time or epoch milliseconds, not ${JSON.stringify(value)?.slice(0, 40)}.`);
  return at;
}

/**
 * GET /__mock/clock; POST /__mock/clock with one of {"advanceSeconds": N} (timers fall due as it
 * passes), {"set": time}, {"freeze": true} or {"freeze": false} (runs again). It answers once the
 * timers of stored entities that fell due have fired.
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
        throw error;
      }
      // The timers the move passed have fired (and their pushes are in the outbox) when it answers.
      await timers?.idle();
      return toClockAnswer(state);
    }),
  );
}
