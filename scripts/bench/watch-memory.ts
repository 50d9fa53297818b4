import type { RunningTarget } from "./spawn-target.js";

export interface MemoryReport {
  /** Peak RSS of the process over its whole life (VmHWM), MB. */
  peakRssMb: number | null;
  /** RSS when the measured load started and when it ended, MB (flat memory: these stay close). */
  rssAtStartMb: number | null;
  rssAtEndMb: number | null;
  /** RSS once a second during the load, MB: shows whether memory levels off or keeps growing. */
  rssEverySecondMb: number[];
}

const MB = 1024 * 1024;
const toMb = (bytes: number | undefined) => (bytes === undefined ? null : Math.round((bytes / MB) * 10) / 10);

/** Samples the target's RSS from now until `finish`, plus its lifetime peak. */
export function watchMemory(target: RunningTarget): { finish(): MemoryReport } {
  const atStart = target.readMemory();
  const series: number[] = [];
  const timer = setInterval(() => {
    const rss = toMb(target.readMemory()?.rss);
    if (rss !== null) series.push(rss);
  }, 1000);
  return {
    finish() {
      clearInterval(timer);
      const atEnd = target.readMemory();
      return { peakRssMb: toMb(atEnd?.peakRss), rssAtStartMb: toMb(atStart?.rss), rssAtEndMb: toMb(atEnd?.rss), rssEverySecondMb: series };
    },
  };
}
