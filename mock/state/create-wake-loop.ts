import type { VirtualClock } from "./virtual-clock.js";

/** Background work that runs a pass at a time. */
export interface WakeLoop {
  /** Starts a pass now, or one more right after the running one. */
  wake(): void;
  /** Resolves once a pass ended with no wake-up during it. */
  idle(): Promise<void>;
  /** No pass starts any more; resolves once the running one ended. */
  stop(): Promise<void>;
  readonly stopped: boolean;
}

export interface WakeLoopOptions {
  clock: VirtualClock;
  /** Real ms between wake-ups of its own (time passing). */
  pollMs: number;
  /** A pass that failed (the next wake-up tries again). */
  onError: (error: Error) => void;
}

/**
 * Runs `pass` off the request path, one at a time: woken by `wake()`, by every move of the virtual
 * clock and every `pollMs` of real time; a wake-up during a pass runs another after it, so nothing
 * woken for is missed. What the push dispatcher and the timer sweeper share.
 */
export function createWakeLoop(pass: (loop: WakeLoop) => Promise<void>, options: WakeLoopOptions): WakeLoop {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      await pass(loop);
    } while (again && !stopped);
  };
  const wake = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = run()
      .catch((error: unknown) => options.onError(error as Error))
      .finally(() => {
        running = undefined;
      });
  };
  const poll = setInterval(wake, options.pollMs);
  poll.unref();
  const stopListening = options.clock.onAdvance(() => wake());
  const loop: WakeLoop = {
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
    get stopped() {
      return stopped;
    },
  };
  return loop;
}
