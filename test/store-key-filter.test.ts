import { describe, expect, it } from "vitest";
import { createKeyFilter } from "../mock/state/key-filter.js";

describe("key filter", () => {
  it("never forgets a key it was given, and rarely claims one it was not", () => {
    const filter = createKeyFilter(100_000);
    for (let n = 0; n < 100_000; n++) filter.add(`tenant-${n % 7}`, "alibaba-refund", `5${String(n).padStart(18, "0")}`);
    for (let n = 0; n < 100_000; n++) expect(filter.mightHave(`tenant-${n % 7}`, "alibaba-refund", `5${String(n).padStart(18, "0")}`)).toBe(true);
    let claimed = 0;
    for (let n = 0; n < 100_000; n++) if (filter.mightHave(`tenant-${n % 7}`, "alibaba-refund", `6${String(n).padStart(18, "0")}`)) claimed++;
    expect(claimed / 100_000).toBeLessThan(0.01);
  });

  it("tells keys apart where the names split differently, and forgets everything on clear", () => {
    const filter = createKeyFilter(10);
    filter.add("ab", "c", "1");
    expect(filter.mightHave("ab", "c", "1")).toBe(true);
    expect(filter.mightHave("a", "bc", "1")).toBe(false);
    expect(filter.mightHave("ab", "c1", "")).toBe(false);
    filter.clear();
    expect(filter.mightHave("ab", "c", "1")).toBe(false);
  });
});
