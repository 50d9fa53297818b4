import { join } from "node:path";
import { DEMO_PANDAPON } from "../../protocol/demo.js";
import type { Birth } from "../../mock/state/birth.js";
import { createBirth } from "../../mock/state/birth.js";
import { getLifecycles } from "../../mock/state/lifecycle.js";
import { getCatalog } from "../../schemas/catalog.js";
import { createPandaponRequest } from "./create-load-requests.js";
import { createPollingRequests, createRefundCreateRequest, createRefundReadRequest, readAnsweredRefundId, readRefundCreateExample } from "./create-state-requests.js";
import { readCliEntry, toMockCommand } from "./create-target-plans.js";
import type { FilledRefund } from "./fill-state.js";
import { FILL_TYPE } from "./fill-state.js";
import type { TargetPlan } from "./run-target.js";
import type { PlainRequest } from "./send-request.js";
import { sendRequest } from "./send-request.js";
import type { PushReceiver } from "./watch-pushes.js";
import { createPushesWatcher, readReceiverCount, watchPushSlice } from "./watch-pushes.js";
import type { TargetCommand } from "./spawn-target.js";

/** The state file of a stateful target: one per target, in the target's own folder. */
export function toStateFile(dir: string): string {
  return join(dir, "state.sqlite");
}

/** `pandapon-mock serve --state <dir>/state.sqlite [...more]`, run in `dir`: the stateful mock with a state file of its own (node flags and entry: as toMockCommand's). */
export function toStatefulCommand(root: string, dir: string, more: string[] = [], nodeFlags: string[] = [], entry = readCliEntry(root)): TargetCommand {
  return toMockCommand(root, nodeFlags, entry, ["--state", toStateFile(dir), ...more], dir);
}

/** The push receiver (push-receiver.mjs, plain node) checking signatures with the demo key's AccessSecret, the tenant of every bench request. */
export function toPushReceiverCommand(root: string): TargetCommand {
  return { command: process.execPath, args: [join(root, "scripts", "bench", "push-receiver.mjs"), DEMO_PANDAPON.secret] };
}

/** The callback URL of a push receiver. */
export function toCallbackUrl(receiverUrl: string): string {
  return `${receiverUrl}/callback`;
}

function fail(what: string, status: number, body: string): never {
  throw new Error(`Failed to benchmark ${what}: a check request got HTTP ${status}: ${body.slice(0, 400)}`);
}

const answersOk = (body: string) => body.includes('"code":200,');

/** A read of `refundId` must answer that refund with code 200. */
function checkRead(what: string, status: number, body: string, refundId: string): void {
  if (status !== 200 || !answersOk(body) || readAnsweredRefundId(body) !== refundId) fail(what, status, body);
}

/**
 * Whether reads of stored refunds answer the stored entity: each read must show the refund's own
 * orderId (a generated answer draws another). A caveat naming the first that does not, else undefined.
 */
export async function findViewCaveat(url: string, stored: readonly FilledRefund[], what: string): Promise<string | undefined> {
  for (const refund of stored.slice(0, 5)) {
    const answer = await sendRequest(url, createRefundReadRequest(refund.id));
    checkRead(what, answer.status, answer.body, refund.id);
    if (!new RegExp(`"orderId":"?${refund.orderId}"?[,}]`).test(answer.body)) {
      return `reading the stored refund ${refund.id} did not answer its orderId ${refund.orderId}: this mock answers generated data, not views of stored entities, so the figure is not the row's`;
    }
  }
  return undefined;
}

/** The mock's seed (`serve` without --seed): born entities are the seed's. */
export const MOCK_SEED = 1;

let birth: Birth | undefined;

/**
 * Whether reads of unknown ids answer the refund born for the id (not stored): each read must show
 * the born refund's orderId, as this process bears it (a generated answer draws another). A caveat, else undefined.
 */
export async function findBornViewCaveat(url: string, what: string): Promise<string | undefined> {
  birth ??= createBirth({ catalog: getCatalog(), lifecycles: getLifecycles(), seed: MOCK_SEED });
  for (let i = 0; i < 3; i++) {
    const request = createPandaponRequest();
    const refundId = (JSON.parse(request.body) as { refundId: string }).refundId;
    const answer = await sendRequest(url, request);
    checkRead(what, answer.status, answer.body, refundId);
    // A born refund's orderId comes from its first draws, whatever the clock says.
    const orderId = String(birth({ type: FILL_TYPE, tenant: DEMO_PANDAPON.accessKey, id: refundId }, Date.now()).record.fields.orderId);
    if (!new RegExp(`"orderId":"?${orderId}"?[,}]`).test(answer.body)) {
      return `reading the unknown refund ${refundId} did not answer the orderId ${orderId} of the refund born for it: this mock answers generated data, not views of born entities, so the figure is not the row's`;
    }
  }
  return undefined;
}

/** Creates `count` refunds through the API (the example request, `concurrency` at a time); their ids as answered. */
export async function createRefunds(url: string, count: number, concurrency = 10): Promise<string[]> {
  const ids: string[] = [];
  const next = async (): Promise<void> => {
    while (ids.length + running < count) {
      running++;
      const answer = await sendRequest(url, createRefundCreateRequest());
      running--;
      const id = readAnsweredRefundId(answer.body);
      if (answer.status !== 200 || id === undefined) fail("creating refunds", answer.status, answer.body);
      ids.push(id);
    }
  };
  let running = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, next));
  return ids;
}

/** Row 1: reads of refund ids nobody wrote, every one new (each answers a born entity, which is not stored). */
export function createStateUnknownPlan(command: TargetCommand, name = "stateful: unknown refund ids"): TargetPlan {
  return {
    name,
    command,
    createRequest: createPandaponRequest,
    prepare: (url) => findBornViewCaveat(url, name),
    checkAnswer(status, body, request) {
      checkRead(name, status, body, (JSON.parse(request.body) as { refundId: string }).refundId);
    },
    verifyBody: answersOk,
  };
}

/** A row reading a fixed set of refund ids round and round: `prepare` gives them (and a caveat when the answers are no views). */
function createPollingPlan(name: string, command: TargetCommand, prepare: (url: string) => Promise<{ ids: string[]; caveat: string | undefined }>): TargetPlan {
  let poll: (() => PlainRequest) | undefined;
  return {
    name,
    command,
    createRequest: () => poll!(),
    async prepare(url) {
      const { ids, caveat } = await prepare(url);
      poll = createPollingRequests(ids);
      return caveat;
    },
    checkAnswer(status, body, request) {
      checkRead(name, status, body, (JSON.parse(request.body) as { refundId: string }).refundId);
    },
    verifyBody: answersOk,
  };
}

/**
 * Row 2: reads of a fixed set of stored refunds, round and round. `stored`: refunds filled through
 * the store (with what their reads must show), or a count of refunds to create through the API
 * when the target starts.
 */
export function createStatePolledPlan(command: TargetCommand, stored: readonly FilledRefund[] | number, name = "stateful: polled stored refunds"): TargetPlan {
  return createPollingPlan(name, command, async (url) => {
    let refunds: readonly FilledRefund[];
    if (typeof stored === "number") {
      const orderId = String(readRefundCreateExample().payload.orderId);
      refunds = (await createRefunds(url, stored)).map((id) => ({ id, orderId }));
    } else refunds = stored;
    return { ids: refunds.map((r) => r.id), caveat: await findViewCaveat(url, refunds, name) };
  });
}

/**
 * Row 2b: reads of a fixed set of refund ids nobody wrote, round and round (an integrator polling
 * refunds it never created): each is born once and then answered from the caches while it stays
 * the same (see mock/state/create-state.ts), and never stored.
 */
export function createStatePolledBornPlan(command: TargetCommand, count: number, name = "stateful: polled unknown refunds"): TargetPlan {
  return createPollingPlan(name, command, async (url) => ({
    ids: Array.from({ length: count }, () => (JSON.parse(createPandaponRequest().body) as { refundId: string }).refundId),
    caveat: await findBornViewCaveat(url, name),
  }));
}

/** Row 3: flows of one create and one read of the refund it made, on each connection (req/s counts both requests). */
export function createStateFlowPlan(command: TargetCommand, name = "stateful: create+read flows"): TargetPlan {
  return {
    name,
    command,
    createRequest: createRefundCreateRequest,
    async prepare(url) {
      const [id] = await createRefunds(url, 1);
      return findViewCaveat(url, [{ id: id!, orderId: String(readRefundCreateExample().payload.orderId) }], name);
    },
    checkAnswer(status, body) {
      if (status !== 200 || !answersOk(body) || !/^TQ\d{17}$/.test(readAnsweredRefundId(body) ?? "")) fail(name, status, body);
    },
    loadRequests: () => [
      {
        setupRequest: (request) => ({ ...request, ...createRefundCreateRequest() }),
        onResponse: (_status, body, context) => {
          context.refundId = readAnsweredRefundId(body);
        },
      },
      // A create that answered no id is read as "TQ" (an error answer, counted as non-2xx).
      { setupRequest: (request, context) => ({ ...request, ...createRefundReadRequest(String(context.refundId ?? "TQ")) }) },
    ],
    verifyBody: answersOk,
  };
}

/**
 * Row 3b: the same create+read flows on a mock started with `--callback-url` to a push receiver
 * (`command` must carry it: toStatefulCommand(root, dir, ["--callback-url", toCallbackUrl(receiver.url)])).
 * Creating a refund enters its initial state, which pushes the (assumed) after-sales refund message:
 * one push per create, sent while the load goes on. Each slice also gives the deliveries the receiver
 * counted (correctly signed) and the deliveries per create. Before the load it checks that a create's
 * push arrives, signed.
 */
export function createStatePushesPlan(command: TargetCommand, receiver: PushReceiver, name = "stateful: flows, pushes flowing"): TargetPlan {
  const flows = createStateFlowPlan(command, name);
  let waitForPushes: ReturnType<typeof createPushesWatcher> | undefined;
  return {
    ...flows,
    async prepare(url) {
      waitForPushes = createPushesWatcher(url);
      const before = await readReceiverCount(receiver.url);
      const caveat = await flows.prepare!(url);
      const { retried } = await waitForPushes(10_000);
      const after = await readReceiverCount(receiver.url);
      if (after.badSignature + after.unsigned > 0) throw new Error(`Failed to benchmark ${name}: the receiver got ${after.badSignature} pushes with a wrong signature and ${after.unsigned} without one.`);
      if (after.delivered <= before.delivered && retried === 0) throw new Error(`Failed to benchmark ${name}: creating a refund pushed nothing to ${receiver.url} (is the mock started with --callback-url?).`);
      return caveat;
    },
    watchPushes: (url) => watchPushSlice((waitForPushes ??= createPushesWatcher(url)), receiver),
    // The load alternates a create and a read on each connection: half its answers are creates.
    countCreates: (load) => Math.round(load.total / 2),
  };
}
