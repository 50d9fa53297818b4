import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { reportConsole } from "../verify/report-console.js";
import { runContracts } from "../verify/run-contracts.js";
import { toOperationStem } from "../checks/to-operation.js";
import type { Api } from "../schemas/operation.js";
import { getCatalog } from "../schemas/catalog.js";

/**
 * Contract tests against the real APIs. They run only when credentials and real requests are in
 * the environment (real calls need real refund and order ids):
 *   PANDAPON_BASE_URL, PANDAPON_ACCESS_KEY, PANDAPON_SECRET, PANDAPON_USER_ID
 *   TOP_GATEWAY (e.g. https://eco.taobao.com/router/rest), TOP_APP_KEY, TOP_SECRET [, TOP_SESSION]
 *   PANDAPON_FIXTURES: a directory of <schema file name>.json requests; only those operations are called.
 */
const env = process.env;
const fixtures = env.PANDAPON_FIXTURES;
const LIVE: Record<"pandapon" | "top", { ready: boolean; needs: string[] }> = {
  pandapon: {
    ready: Boolean(env.PANDAPON_BASE_URL && env.PANDAPON_ACCESS_KEY && env.PANDAPON_SECRET && env.PANDAPON_USER_ID && fixtures),
    needs: ["PANDAPON_BASE_URL", "PANDAPON_ACCESS_KEY", "PANDAPON_SECRET", "PANDAPON_USER_ID", "PANDAPON_FIXTURES"],
  },
  top: {
    ready: Boolean(env.TOP_GATEWAY && env.TOP_APP_KEY && env.TOP_SECRET && fixtures),
    needs: ["TOP_GATEWAY", "TOP_APP_KEY", "TOP_SECRET", "PANDAPON_FIXTURES"],
  },
};

for (const [api, { ready, needs }] of Object.entries(LIVE)) {
  if (!ready) console.log(`[contracts-live] ${api} live contract tests skipped: set ${needs.filter((n) => !env[n]).join(", ")} to run them.`);
}

function setup(api: Api) {
  const catalog = getCatalog();
  const only = catalog.operations
    .filter((op) => op.meta.api === api && existsSync(join(fixtures!, `${toOperationStem(op)}.json`)))
    .map((op) => op.meta.name);
  const client =
    api === "top"
      ? createTopClient({ gateway: env.TOP_GATEWAY!, appKey: env.TOP_APP_KEY!, secret: env.TOP_SECRET!, session: env.TOP_SESSION, catalog, timeoutMs: 20_000 })
      : createPandaponClient({
          baseUrl: env.PANDAPON_BASE_URL!,
          accessKey: env.PANDAPON_ACCESS_KEY!,
          secret: env.PANDAPON_SECRET!,
          userId: env.PANDAPON_USER_ID!,
          catalog,
          timeoutMs: 20_000,
        });
  const secrets = [env.PANDAPON_SECRET, env.PANDAPON_ACCESS_KEY, env.TOP_SECRET, env.TOP_APP_KEY, env.TOP_SESSION];
  return { only, run: () => runContracts({ catalog, only, fixturesDir: fixtures, secrets, createClient: () => client }) };
}

describe.skipIf(!LIVE.pandapon.ready)("the real PandaPon API", () => {
  it("answers every operation with a fixture as the docs say (or, where the answer is assumed, says how it differs)", { timeout: 300_000 }, async () => {
    const { only, run } = setup("pandapon");
    expect(only.length).toBeGreaterThan(0);
    const result = await run();
    console.log(reportConsole(result));
    expect(result.results.filter((r) => r.outcome !== "passed" && r.outcome !== "assumed").map((r) => `${r.operation}: ${r.reason}`)).toEqual([]);
  });
});

describe.skipIf(!LIVE.top.ready)("the real TOP gateway", () => {
  it("answers every taobao.pc.* method with a fixture as the docs say", { timeout: 300_000 }, async () => {
    const { only, run } = setup("top");
    expect(only.length).toBeGreaterThan(0);
    const result = await run();
    console.log(reportConsole(result));
    expect(result.results.filter((r) => r.outcome !== "passed" && r.outcome !== "assumed").map((r) => `${r.operation}: ${r.reason}`)).toEqual([]);
  });
});
