import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSqliteStore } from "../mock/state/sqlite-store.js";
import type { ClockListener } from "../mock/state/virtual-clock.js";
import { CLOCK_MAX_MS, CLOCK_MIN_MS, ClockRangeError, createVirtualClock, openVirtualClock } from "../mock/state/virtual-clock.js";
import { createTempFolder } from "./helpers/store-setups.js";

const T0 = 1_700_000_000_000;

/** A clock on a fake real time that the test moves, and what its listener was told. */
function setup(options: { frozenAt?: number } = {}) {
  let real = T0;
  const clock = createVirtualClock({ realNow: () => real, ...(options.frozenAt === undefined ? {} : { setting: { mode: "frozen", at: options.frozenAt } }) });
  const told: Array<[number, number]> = [];
  clock.onAdvance((from, to) => void told.push([from, to]));
  return { clock, told, passReal: (ms: number) => (real += ms) };
}

describe("virtual clock", () => {
  it("runs with real time, moved by advance, and tells listeners each move forward", async () => {
    const { clock, told, passReal } = setup();
    expect(clock.now()).toBe(T0);
    passReal(500);
    expect(clock.now()).toBe(T0 + 500);
    await clock.advance(3600);
    expect(clock.now()).toBe(T0 + 500 + 3_600_000);
    expect(clock.setting).toEqual({ mode: "offset", offsetMs: 3_600_000 });
    expect(told).toEqual([[T0, T0 + 3_600_500]]);
    await clock.advance(0.0015);
    expect(clock.now()).toBe(T0 + 3_600_502);
  });

  it("stands still when frozen, moves only when told, and runs on from there when resumed", async () => {
    const { clock, told, passReal } = setup({ frozenAt: T0 });
    passReal(10_000);
    expect(clock.now()).toBe(T0);
    clock.tick();
    expect(told).toEqual([]);
    await clock.advance(60);
    expect(clock.now()).toBe(T0 + 60_000);
    await clock.resume();
    passReal(5);
    expect(clock.now()).toBe(T0 + 60_005);
    await clock.freeze();
    passReal(5);
    expect(clock.setting).toEqual({ mode: "frozen", at: T0 + 60_005 });
    // The 5 ms that passed while it ran are told when it stops.
    expect(told).toEqual([
      [T0, T0 + 60_000],
      [T0 + 60_000, T0 + 60_005],
    ]);
  });

  it("tells listeners on tick only when time moved forward since they were last told", () => {
    const { clock, told, passReal } = setup();
    clock.tick();
    passReal(1000);
    clock.tick();
    clock.tick();
    passReal(1);
    clock.tick();
    expect(told).toEqual([
      [T0, T0 + 1000],
      [T0 + 1000, T0 + 1001],
    ]);
  });

  it("goes back when set back, without telling listeners, and tells them when set forward again", async () => {
    const { clock, told } = setup();
    await clock.set(T0 - 86_400_000);
    expect(clock.now()).toBe(T0 - 86_400_000);
    await clock.set(T0 + 1);
    expect(told).toEqual([[T0 - 86_400_000, T0 + 1]]);
  });

  it("refuses to move backwards through advance, or to a time that is not a number", async () => {
    const { clock } = setup();
    await expect(clock.advance(-1)).rejects.toThrow("Failed to advance the clock: seconds must be a finite number ≥ 0, not -1.");
    await expect(clock.advance(Number.NaN)).rejects.toThrow(RangeError);
    expect(() => clock.set(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(clock.now()).toBe(T0);
  });

  it("moves only within 2000-01-01 … 2999-12-31 (UTC): a move beyond is refused (ClockRangeError) and the clock stays", async () => {
    const { clock, told } = setup({ frozenAt: T0 });
    const refused = "the clock did not move.";
    await expect(clock.advance(1e300)).rejects.toThrow(ClockRangeError);
    await expect(clock.advance((CLOCK_MAX_MS - T0) / 1000 + 0.001)).rejects.toThrow(`Failed to move the clock to 3000-01-01T00:00:00.000Z: it stays from 2000-01-01T00:00:00.000Z to 2999-12-31T23:59:59.999Z; ${refused}`);
    await expect(clock.set(8_640_000_000_000_001)).rejects.toThrow(`Failed to move the clock to 8640000000000001 epoch ms: it stays from 2000-01-01T00:00:00.000Z to 2999-12-31T23:59:59.999Z; ${refused}`);
    await expect(clock.set(CLOCK_MIN_MS - 1)).rejects.toThrow(ClockRangeError);
    await expect(clock.set(-1)).rejects.toThrow(ClockRangeError);
    await expect(clock.freeze(CLOCK_MAX_MS + 1)).rejects.toThrow(ClockRangeError);
    expect([clock.now(), told]).toEqual([T0, []]);
    await clock.set(CLOCK_MIN_MS);
    await clock.set(CLOCK_MAX_MS);
    expect(clock.now()).toBe(CLOCK_MAX_MS);
  });

  it("applies changes asked at once one after the other", async () => {
    const { clock } = setup({ frozenAt: T0 });
    await Promise.all([clock.advance(1), clock.advance(2), clock.advance(3)]);
    expect(clock.now()).toBe(T0 + 6000);
  });

  it("tells every listener even when one throws, then reports the failure; a removed listener hears nothing", async () => {
    const { clock, told } = setup({ frozenAt: T0 });
    const removed: ClockListener[] = [];
    const stop = clock.onAdvance(() => void removed.push(() => undefined));
    clock.onAdvance(() => {
      throw new Error("listener failed");
    });
    stop();
    await expect(clock.advance(1)).rejects.toThrow("listener failed");
    expect(told).toHaveLength(1);
    expect(removed).toEqual([]);
  });

  it("keeps its setting in the state file, so a restart finds the clock where it was left", async () => {
    const file = join(createTempFolder(), "state.sqlite");
    let real = T0;
    const first = createSqliteStore({ file });
    const clock = await openVirtualClock(first, () => real);
    await clock.advance(7200);
    await first.close();

    real += 1000;
    const second = createSqliteStore({ file });
    expect((await openVirtualClock(second, () => real)).now()).toBe(T0 + 1000 + 7_200_000);
    await second.setMeta("clock", { mode: "frozen", at: T0 });
    expect((await openVirtualClock(second, () => real)).now()).toBe(T0);
    await second.setMeta("clock", { mode: "sideways" });
    await expect(openVirtualClock(second, () => real)).rejects.toThrow('Failed to read the clock from the state: meta "clock" holds {"mode":"sideways"}, not a clock setting.');
    await second.close();
  });

  it("stays where it was when its setting cannot be saved", async () => {
    const store = createSqliteStore({ file: ":memory:", limits: { maxKeys: 0 } });
    const clock = await openVirtualClock(store, () => T0, { mode: "frozen", at: T0 });
    await expect(clock.advance(60)).rejects.toThrow(/^Failed to move the clock: the state store refused its setting \(The state store is full.*\); the clock did not move\.$/);
    expect(clock.now()).toBe(T0);
    await store.close();
  });
});
