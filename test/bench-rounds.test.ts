import { describe, expect, it } from "vitest";
import { combineRounds, median, toRoundRatio } from "../scripts/bench/combine-rounds.js";
import { measuredTarget } from "./helpers/measured-target.js";

const measured = measuredTarget;

describe("bench rounds", () => {
  it("takes each ratio within a round, so a machine that slows down between rounds does not bend it", () => {
    // The machine runs at full speed in round 1, at half speed in round 2: req/s halve, the ratio holds.
    const rounds = [
      { mock: measured("mock", 7000), ceiling: measured("ceiling", 14000) },
      { mock: measured("mock", 3500), ceiling: measured("ceiling", 7000) },
      { mock: measured("mock", 6000), ceiling: measured("ceiling", 10000) },
    ];
    const ratio = toRoundRatio("mock / ceiling", rounds, "mock", "ceiling", 0.5);
    expect(ratio.byRound).toEqual([0.5, 0.5, 0.6]);
    expect(ratio.value).toBe(0.5);
    // Medians of the separate figures would have said 6000 / 10000 = 0.6.
    expect(combineRounds(rounds.map((r) => r.mock)).requestsPerSecond / combineRounds(rounds.map((r) => r.ceiling)).requestsPerSecond).toBe(0.6);
  });

  it("combines a target's rounds: medians, the highest peak, errors summed, memory from first start to last end", () => {
    const combined = combineRounds([
      measured("mock", 5000, { peakRssMb: 180, rssAtStartMb: 120, errors: 1, latencyP99Ms: 9 }),
      measured("mock", 6000, { peakRssMb: 210, rssAtEndMb: 200, mismatches: 2, latencyP99Ms: 7 }),
      measured("mock", 5500, { peakRssMb: null, rssAtEndMb: 190, latencyP99Ms: 8, serverCpuPercent: null }),
    ]);
    expect(combined.requestsPerSecond).toBe(5500);
    expect(combined.requestsPerSecondByRound).toEqual([5000, 6000, 5500]);
    expect(combined.latencyP99Ms).toBe(8);
    expect(combined.peakRssMb).toBe(210);
    expect([combined.rssAtStartMb, combined.rssAtEndMb]).toEqual([120, 190]);
    expect([combined.errors, combined.mismatches]).toEqual([1, 2]);
    expect(combined.serverCpuPercent).toBe(100);
  });

  it("has no ratio when a side was not measured, and a median of an even count between the middle two", () => {
    expect(toRoundRatio("x", [{ mock: measured("mock", 1) }], "mock", "ceiling", 0.5).value).toBeNull();
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe("bench table", () => {
  it("shows what an answer costs the server in CPU, whatever limited the throughput", async () => {
    const { toCpuPerRequest } = await import("../scripts/bench/print-results.js");
    expect(toCpuPerRequest(100, 8000)).toBe(125);
    expect(toCpuPerRequest(60, 14_000)).toBe(43);
    expect(toCpuPerRequest(null, 100)).toBeNull();
    expect(toCpuPerRequest(50, 0)).toBeNull();
  });
});
