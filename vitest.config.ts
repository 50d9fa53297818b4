import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Mocks that tests start (in process or as children, which inherit it) keep their state in memory:
    // the default state file in the working directory would be one file for all of them at once.
    env: { PANDAPON_MOCK_STATE: "memory" },
    reporters: ["default", "./test/reporters/summary-line.ts"],
  },
});
