import { expect } from "vitest";
import type { CallResult } from "../../client/call-result.js";
import { createAdminClient } from "../../client/create-admin-client.js";
import { createPandaponClient } from "../../client/create-pandapon-client.js";
import { createTopClient } from "../../client/create-top-client.js";
import { createApp } from "../../mock/app.js";
import type { DeepPartial, MockOptions } from "../../mock/options.js";
import type { StateService } from "../../mock/state/create-state.js";
import { createState } from "../../mock/state/create-state.js";
import type { StateStore } from "../../mock/state/store.js";
import { createSqliteStore } from "../../mock/state/sqlite-store.js";
import { startServer } from "../../mock/start-server.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../../protocol/demo.js";

/** 2025-05-14 12:00:00 UTC: where the virtual clock of flow tests stands (frozen; tests move it through the admin API). */
export const FLOW_NOW = Date.UTC(2025, 4, 14, 12, 0, 0);

/**
 * A stateful mock on 127.0.0.1 (SQLite store, in memory unless a store or state is given; the clock
 * frozen at FLOW_NOW), signing clients of both APIs with the demo credentials, and an admin client.
 */
export async function startStatefulMock(options: { seed?: number; store?: StateStore; state?: StateService; mock?: DeepPartial<MockOptions> } = {}) {
  const state = options.state ?? (await createState({ store: options.store ?? createSqliteStore({ file: ":memory:" }), seed: options.seed ?? 7, clock: { mode: "frozen", at: FLOW_NOW } }));
  const app = createApp({ validateResponses: true, ...options.mock, state });
  const running = await startServer(app, 0, "127.0.0.1");
  const pandapon = createPandaponClient({ baseUrl: running.url, ...DEMO_PANDAPON, retries: 0 });
  const top = createTopClient({ gateway: running.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0 });
  const admin = createAdminClient({ baseUrl: running.url });
  return { app, state, url: running.url, pandapon, top, admin, stop: async () => (await running.close(), await state.close()) };
}

/** A TOP answer's `result`, once the call answered 200 without contract failures and is no error document. */
export function topResultOf(answer: CallResult): Record<string, unknown> {
  expect(answer.status).toBe(200);
  expect(answer.apiError).toBeUndefined();
  expect(answer.violations.filter((v) => v.severity !== "warning")).toEqual([]);
  return (answer.data as { result: Record<string, unknown> }).result;
}
