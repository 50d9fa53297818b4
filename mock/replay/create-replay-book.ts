import type { Catalog } from "../../schemas/catalog.js";
import type { IdentifiedRequest } from "./identify-request.js";
import type { Recording } from "./recording.js";
import { readRecordings, toRequestKey } from "./recording.js";

/** The recorded exchanges a replaying mock answers from. */
export interface ReplayBook {
  /** Answer 404 in the protocol's shape when no recording matches (instead of generating). */
  strict: boolean;
  /** How many recordings the book holds. */
  size: number;
  /**
   * The recording for a request: same operation and masked business payload (TOP: the same answer
   * format). Exchanges recorded more than once answer in their recorded order, the last one repeating.
   */
  take(identified: IdentifiedRequest): Recording | undefined;
}

export function createReplayBook(recordings: readonly Recording[], strict = false): ReplayBook {
  const byKey = new Map<string, Recording[]>();
  for (const recording of [...recordings].sort((a, b) => a.sequence - b.sequence)) {
    const key = `${recording.key} ${recording.request.format}`;
    byKey.set(key, [...(byKey.get(key) ?? []), recording]);
  }
  const taken = new Map<string, number>();
  return {
    strict,
    size: recordings.length,
    take(identified) {
      const key = `${toRequestKey(identified).key} ${identified.format}`;
      const list = byKey.get(key);
      if (!list) return undefined;
      const count = taken.get(key) ?? 0;
      taken.set(key, count + 1);
      return list[Math.min(count, list.length - 1)];
    },
  };
}

/** The recordings of a folder; files that are not recordings are refused with their reasons (a configuration error). */
export function loadRecordings(dir: string, catalog: Catalog): Recording[] {
  const readings = readRecordings(dir, catalog);
  const bad = readings.filter((r) => !r.ok);
  if (bad.length > 0) {
    throw new Error(`Failed to load the recordings in "${dir}": ${bad.map((r) => `${r.file} ${r.ok ? "" : r.reason}`).join("; ")}.`);
  }
  return readings.flatMap((r) => (r.ok ? [r.recording] : []));
}

/** A book from a folder of recordings (see loadRecordings). */
export function loadReplayBook(dir: string, catalog: Catalog, strict = false): ReplayBook {
  return createReplayBook(loadRecordings(dir, catalog), strict);
}
