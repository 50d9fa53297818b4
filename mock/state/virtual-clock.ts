import type { StateStore } from "./store.js";

/**
 * The mock's clock: real time moved by an offset an operator sets, or a frozen instant (tests).
 * Lifecycle timers and push retries fall due on it. The clock reads real time only through the
 * injected `realNow`, and keeps its setting through the injected `save` (the state store's meta),
 * so a restart finds the clock where it was left.
 */
export type ClockSetting = { mode: "offset"; offsetMs: number } | { mode: "frozen"; at: number };

/** Told when virtual time moves forward: by advance or set, or as real time passes (see tick). */
export type ClockListener = (from: number, to: number) => void;

export interface VirtualClock {
  /** Virtual epoch ms, a whole number. */
  now(): number;
  readonly setting: ClockSetting;
  /**
   * Moves the clock forward (running or frozen) by `seconds` ≥ 0, saved before it takes effect. Every
   * move (advance, set, freeze at, resume) refuses a time outside CLOCK_MIN_MS…CLOCK_MAX_MS (ClockRangeError).
   */
  advance(seconds: number): Promise<void>;
  /** Sets the clock to `at` (epoch ms), running on from there, or staying frozen there when frozen. */
  set(at: number): Promise<void>;
  /** Stops the clock at `at`, by default where it stands. */
  freeze(at?: number): Promise<void>;
  /** Lets a frozen clock run again from where it stands. */
  resume(): Promise<void>;
  /** Tells the listeners if time moved forward since they were last told; call it from a timer. */
  tick(): void;
  /** Adds a listener; returns the function that removes it. */
  onAdvance(listener: ClockListener): () => void;
}

export interface VirtualClockOptions {
  realNow: () => number;
  /** Where the clock starts (default: real time). */
  setting?: ClockSetting;
  /** Keeps a new setting; the change takes effect only once it resolves. */
  save?: (setting: ClockSetting) => Promise<void>;
}

/** The earliest time the clock may be moved to: 2000-01-01T00:00:00.000Z. */
export const CLOCK_MIN_MS = Date.UTC(2000, 0, 1);
/** The latest: 2999-12-31T23:59:59.999Z (timers and China time keep four-digit years beyond it). */
export const CLOCK_MAX_MS = Date.UTC(3000, 0, 1) - 1;

/** A move to a time outside CLOCK_MIN_MS…CLOCK_MAX_MS: the clock did not move. */
export class ClockRangeError extends RangeError {
  override name = "ClockRangeError";
}

/** The meta key of the clock's setting in the state store. */
export const CLOCK_META_KEY = "clock";

function checkTime(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`Failed to set the clock: ${what} must be a finite number, not ${value}.`);
}

/** A time for a message: ISO when a Date can show it, else the epoch ms. */
function describeTime(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} epoch ms`;
}

/** Refuses a time outside CLOCK_MIN_MS…CLOCK_MAX_MS: the clock does not move. */
function checkRange(at: number): void {
  if (at >= CLOCK_MIN_MS && at <= CLOCK_MAX_MS) return;
  throw new ClockRangeError(`Failed to move the clock to ${describeTime(at)}: it stays from ${describeTime(CLOCK_MIN_MS)} to ${describeTime(CLOCK_MAX_MS)}; the clock did not move.`);
}

export function createVirtualClock(options: VirtualClockOptions): VirtualClock {
  const realNow = () => Math.floor(options.realNow());
  let setting: ClockSetting = options.setting ?? { mode: "offset", offsetMs: 0 };
  const listeners = new Set<ClockListener>();
  const now = () => (setting.mode === "frozen" ? setting.at : realNow() + setting.offsetMs);
  let told = now();
  let queue: Promise<void> = Promise.resolve();

  const tell = () => {
    const to = now();
    const from = told;
    told = to;
    if (to <= from) return;
    let failure: unknown;
    for (const listener of [...listeners]) {
      try {
        listener(from, to);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  };
  // One change at a time, each computed from the setting the previous one left.
  const change = (next: () => ClockSetting): Promise<void> => {
    const run = async () => {
      const wanted = next();
      await options.save?.(wanted);
      setting = wanted;
      tell();
    };
    const done = queue.then(run);
    queue = done.catch(() => undefined);
    return done;
  };
  const toSetting = (at: number, frozen: boolean): ClockSetting => {
    checkRange(at);
    return frozen ? { mode: "frozen", at } : { mode: "offset", offsetMs: at - realNow() };
  };

  return {
    now,
    get setting() {
      return setting;
    },
    advance(seconds) {
      if (!Number.isFinite(seconds) || seconds < 0) return Promise.reject(new RangeError(`Failed to advance the clock: seconds must be a finite number ≥ 0, not ${seconds}.`));
      return change(() => toSetting(now() + Math.round(seconds * 1000), setting.mode === "frozen"));
    },
    set(at) {
      checkTime(at, "the time");
      return change(() => toSetting(Math.round(at), setting.mode === "frozen"));
    },
    freeze(at) {
      if (at !== undefined) checkTime(at, "the time");
      return change(() => toSetting(Math.round(at ?? now()), true));
    },
    resume() {
      return change(() => toSetting(now(), false));
    },
    tick: tell,
    onAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The setting kept in the store, or undefined when it holds none; throws when it holds something else. */
export function toClockSetting(value: unknown): ClockSetting | undefined {
  if (value === undefined) return undefined;
  const v = value as Partial<{ mode: string; offsetMs: unknown; at: unknown }> | null;
  if (v?.mode === "offset" && Number.isSafeInteger(v.offsetMs)) return { mode: "offset", offsetMs: v.offsetMs as number };
  if (v?.mode === "frozen" && Number.isSafeInteger(v.at)) return { mode: "frozen", at: v.at as number };
  throw new Error(`Failed to read the clock from the state: meta "${CLOCK_META_KEY}" holds ${JSON.stringify(value)?.slice(0, 200)}, not a clock setting. Reset the state, or set the clock again.`);
}

/** The store refused the clock's new setting (e.g. full): the clock did not move. */
export class ClockNotSavedError extends Error {
  override name = "ClockNotSavedError";
}

/** A clock whose setting lives in the store's meta: where it was left, or at `initial` (default: real time) the first time. */
export async function openVirtualClock(store: Pick<StateStore, "getMeta" | "setMeta">, realNow: () => number, initial?: ClockSetting): Promise<VirtualClock> {
  const saved = toClockSetting(await store.getMeta(CLOCK_META_KEY));
  return createVirtualClock({
    realNow,
    setting: saved ?? initial,
    async save(setting) {
      const result = await store.setMeta(CLOCK_META_KEY, setting);
      if (!result.ok) throw new ClockNotSavedError(`Failed to move the clock: the state store refused its setting (${result.message}); the clock did not move.`);
    },
  });
}
