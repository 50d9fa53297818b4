import { readFileSync } from "node:fs";

export interface ProcessMemory {
  /** Resident set size now, in bytes. */
  rss: number;
  /** Peak resident set size since the process started (VmHWM), in bytes. */
  peakRss: number;
}

/** RSS and peak RSS of any process from /proc (Linux); undefined when /proc cannot say. */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  const peak = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!rss || !peak) return undefined;
  return { rss: Number(rss[1]) * 1024, peakRss: Number(peak[1]) * 1024 };
}
