/**
 * Collects what went wrong in this process that nobody caught (an exception or a rejection) while
 * code under test runs in it, where it would otherwise end the process or pass unseen; `stop` ends
 * the watch. A test fails on anything collected.
 */
export function watchProcessFaults(): { faults: string[]; stop(): void } {
  const faults: string[] = [];
  // Its stack (or the value itself), so that a failing test shows where it came from.
  const onFault = (error: unknown) => faults.push(String((error as Error)?.stack ?? error));
  process.on("uncaughtException", onFault);
  process.on("unhandledRejection", onFault);
  return {
    faults,
    stop() {
      process.off("uncaughtException", onFault);
      process.off("unhandledRejection", onFault);
    },
  };
}
