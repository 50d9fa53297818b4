import type { MockApp } from "./app.js";
import { createApp } from "./app.js";
import type { RuleView } from "./control/rule-book.js";
import type { RuleInput } from "./control/rule-format.js";
import type { MockCore } from "./create-core.js";
import type { JournalEntry } from "./exchange.js";
import type { JournalFilter } from "./journal.js";
import type { DeepPartial, MockOptions } from "./options.js";
import type { EntityResult, EntityView, StateService } from "./state/create-state.js";
import type { ClockSetting, VirtualClock } from "./state/virtual-clock.js";
import { startServer } from "./start-server.js";

export interface StartMockOptions extends Omit<DeepPartial<MockOptions>, "state" | "rules"> {
  /** Entities in memory (default), in a SQLite file, or none (every answer generated, no entities, no clock). */
  state?: "memory" | "stateless" | { file: string };
  /** Rules in force from the start, and again after reset(). */
  rules?: RuleInput[];
  /** Where the virtual clock starts (e.g. `{ mode: "frozen", at: Date.UTC(2025, 4, 14) }`; default: real time). */
  clock?: ClockSetting;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** A mock running on loopback for a test suite: its URL and the levers a test pulls. */
export interface StartedMock {
  /** Base URL of both APIs (PandaPon paths, and the TOP gateway at /router/rest). */
  url: string;
  rules: {
    /** Adds one rule or several (all or none: a bad one throws and adds nothing); returns them with their ids. */
    add(rules: RuleInput | RuleInput[]): RuleView[];
    /** The rules in force with how often each matched. */
    list(): RuleView[];
    remove(idOrName: string): boolean;
    clear(): void;
  };
  journal: {
    /** Newest first, with request and answer bodies (secrets and signatures masked). */
    list(filter?: JournalFilter): JournalEntry[];
    clear(): void;
  };
  /** The virtual clock of the entities (undefined when stateless). */
  clock: VirtualClock | undefined;
  /** The entities behind the answers, as the seller and platform see them (undefined when stateless); the tenant defaults to the first PandaPon access-key. */
  entities: MockEntities | undefined;
  /** Back to the start: the start's rules again (counts at 0), an empty journal, no entities (the clock stays). For afterEach. */
  reset(): Promise<void>;
  /** Stops the server (requests in flight finish) and closes the state. For afterAll. */
  close(): Promise<void>;
  /** The request listener and its core, for what the rest does not cover. */
  app: MockApp;
  core: MockCore;
}

export interface MockEntities {
  read(type: string, id: string, options?: { tenant?: string }): Promise<EntityView>;
  act(type: string, id: string, action: string, input?: unknown, options?: { tenant?: string }): Promise<EntityView>;
  list(type: string, options?: { tenant?: string; limit?: number }): Promise<EntityView[]>;
  service: StateService;
}

/**
 * Starts a mock for an integrator's test suite, in the habits of msw and supertest:
 *
 *     const mock = await startMock({ seed: 1, state: "memory" });   // beforeAll
 *     mock.rules.add({ match: { operation: "/alibaba/refund/info", times: 1 }, answer: { fault: "no-answer", holdMs: 2000 } });
 *     await mock.reset();                                             // afterEach
 *     await mock.close();                                             // afterAll
 */
export async function startMock(options: StartMockOptions = {}): Promise<StartedMock> {
  const { state: where = "memory", rules: initial = [], clock: clockSetting, port = 0, host = "127.0.0.1", ...mock } = options;
  let state: StateService | undefined;
  if (where !== "stateless") {
    const { openState } = await import("./state/open-state.js");
    state = await openState({ location: where, seed: mock.seed ?? 1, ...(clockSetting ? { clock: clockSetting } : {}) });
  }
  const app = createApp({ ...mock, admin: { listenHost: host, ...mock.admin }, state, rules: initial });
  const core = app.core;
  const running = await startServer(app, port, host).catch(async (error: unknown) => {
    await state?.close();
    throw error;
  });
  const defaultTenant = core.options.pandapon.keys[0]?.accessKey ?? "";
  const entityOf = (result: EntityResult): EntityView => {
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    return result.entity;
  };
  const entities: MockEntities | undefined = state && {
    read: async (type, id, o = {}) => entityOf(await state.read(o.tenant ?? defaultTenant, type, id)),
    act: async (type, id, action, input, o = {}) => entityOf(await state.act(o.tenant ?? defaultTenant, type, id, action, input)),
    list: async (type, o = {}) => (await state.list({ tenant: o.tenant ?? defaultTenant, type, limit: o.limit ?? 100 })).entities,
    service: state,
  };
  return {
    url: running.url,
    rules: {
      add: (rules) => core.rules.add(Array.isArray(rules) ? rules : [rules]),
      list: () => core.rules.list(),
      remove: (idOrName) => core.rules.remove(idOrName),
      clear: () => core.rules.clear(),
    },
    journal: { list: (filter) => core.journal.list(filter), clear: () => core.journal.clear() },
    clock: state?.clock,
    entities,
    async reset() {
      core.rules.clear();
      if (initial.length > 0) core.rules.add(initial);
      core.journal.clear();
      await state?.reset();
    },
    close: async () => {
      await running.close();
      await state?.close();
    },
    app,
    core,
  };
}
