import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { toCappedText } from "../../protocol/capped-text.js";
import type { EmittedMessage } from "../state/apply-action.js";
import type { StateService } from "../state/create-state.js";
import { createWakeLoop } from "../state/create-wake-loop.js";
import type { AttemptToRecord, NewPush, PushRecord, PushState } from "../state/store.js";
import type { CallbackUrls } from "./callback-urls.js";
import { openCallbackUrls, toCallbackMetaKey } from "./callback-urls.js";
import type { PushPayload } from "./push-payload.js";
import { readPushPayload, toMessageText } from "./push-payload.js";
import { toNextStep } from "./push-schedule.js";
import { sendPush, toShownUrl } from "./send-push.js";

export interface PushServiceOptions {
  state: StateService;
  /** The AccessSecret of each tenant (PandaPon access-key): pushes are signed with it; a tenant without one is never pushed to. */
  secrets: ReadonlyMap<string, string>;
  /** Each key's configured callback URLs (config, --callback-url): the starting value; changes at run time are kept in the store and win. */
  configuredUrls: ReadonlyMap<string, readonly string[]>;
  /** Assumed messageTypes renamed (the project's name → yours); documented ones keep theirs. */
  messageTypes?: Readonly<Record<string, string>>;
  /** How often the outbox is polled for due pushes (real ms; default 250). Writes and clock moves also wake it. */
  pollMs?: number;
  /** How long a claim holds (virtual ms; default 10 s): a dead process's claims are taken over after it. */
  leaseMs?: number;
  /** What fires stored entities' timers: idle() waits for it first (the pushes its transitions emit come after). */
  timers?: { idle(): Promise<void> };
  /** Pushes claimed at a time (and sent together). */
  batch?: number;
  log?: (line: string) => void;
}

/** One attempt as the admin API shows it. */
export interface AttemptView {
  at: string;
  url?: string;
  status?: number;
  latencyMs?: number;
  error?: string;
}

export interface PushView {
  id: number;
  tenant: string;
  messageType: string;
  assumed: boolean;
  url: string;
  entity: { type: string; id: string } | null;
  action: string;
  state: PushState;
  attemptCount: number;
  attempts: AttemptView[];
  /** When it is (or was last) due, ISO on the virtual clock. */
  dueAt: string;
  createdAt: string;
  resendOf?: number;
}

export interface ByHand {
  tenant: string;
  type: string;
  id: string;
  /** One of the messages the entity's lifecycle declares (default: the first). */
  messageType?: string;
  /** Instead of the tenant's callback URLs. */
  url?: string;
}

export interface PushCounts {
  kept: number;
  finished: number;
  refused: number;
}

export type PushProblem = { ok: false; status: 400 | 404 | 409; message: string };

/** What the "Verify" probe found at one URL: ok = HTTP 200 within 1000 ms. */
export interface ProbeResult {
  url: string;
  ok: boolean;
  status?: number;
  latencyMs: number;
  error?: string;
}

export interface PushService {
  /** The tenants' callback URLs (read from the store when the service starts). */
  callbackUrls(): Promise<CallbackUrls>;
  /**
   * The console's "Verify": one signed probe message (VERIFY_MESSAGE_TYPE, body {}) POSTed now to
   * each callback URL of the tenant (or to `url`), not through the outbox (no retry, nothing stored).
   */
  verify(request: { tenant: string; url?: string }): Promise<{ ok: true; tenant: string; messageType: string; results: ProbeResult[] } | PushProblem>;
  /** A page of pushes, and the outbox's counts: pushes kept, finished ones among them (the bounded history), refused ones (no room). */
  list(query: { tenant?: string; state?: PushState; limit?: number; after?: number }): Promise<{ pushes: PushView[]; next: number | null; counts: PushCounts }>;
  /** Sends a push again: a new push with the same message, due now. */
  resend(id: number): Promise<{ ok: true; push: PushView } | PushProblem>;
  /** A message for an entity (stored, or born for an id nobody wrote), due now, to the tenant's callback URLs or `url`. */
  sendByHand(request: ByHand): Promise<{ ok: true; pushes: PushView[] } | PushProblem>;
  /** Wakes the dispatcher (due pushes are sent without waiting for the next poll). */
  kick(): void;
  /** Resolves once no timer and nothing due is left to send now (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The probe's messageType: what the console's "Verify" button sends is not documented, so the
 * project names its own (assumed; renamable like the other assumed types). Its body is `{}`, so no
 * receiver can take it for an order event.
 */
export const VERIFY_MESSAGE_TYPE = "PANDAPON_MOCK_VERIFY";

function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toPushView(push: PushRecord): PushView {
  const payload = readPushPayload(push.payload);
  return {
    id: push.id,
    tenant: push.tenant,
    messageType: push.topic,
    assumed: payload?.assumed ?? false,
    url: toShownUrl(payload?.url ?? ""),
    entity: payload?.entity ?? null,
    action: payload?.action ?? "",
    state: push.state,
    attemptCount: push.attemptCount,
    attempts: push.attempts.map((a) => ({
      at: toIso(a.at),
      ...(a.url !== undefined ? { url: a.url } : {}),
      ...(a.status !== undefined ? { status: a.status } : {}),
      ...(a.latencyMs !== undefined ? { latencyMs: a.latencyMs } : {}),
      ...(a.error !== undefined ? { error: a.error } : {}),
    })),
    dueAt: toIso(push.dueAt),
    createdAt: toIso(push.createdAt),
    ...(payload?.resendOf !== undefined ? { resendOf: payload.resendOf } : {}),
  };
}

/**
 * The push side of the mock: the state service's outbox (each transition's messages become one
 * push per callback URL of the tenant, stored with the transition), and the dispatcher that claims
 * due pushes from the store (leased, so two processes never send the same push), POSTs them signed,
 * and records every attempt with the documented schedule (push-schedule.ts). Sending never runs on
 * the request path: it is a loop of its own, woken by writes, clock moves and a poll.
 */
export function createPushService(options: PushServiceOptions): PushService {
  const { state, secrets } = options;
  const { store, clock } = state;
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const leaseMs = options.leaseMs ?? 10_000;
  const batch = options.batch ?? 32;
  const renamed = (messageType: string, assumed: boolean) => (assumed ? (options.messageTypes?.[messageType] ?? messageType) : messageType);

  // The URLs set at run time are kept in the store: read once, before the first push is made.
  for (const tenant of options.configuredUrls.keys()) state.keepOnReset(toCallbackMetaKey(tenant));
  let callbackUrls: CallbackUrls | undefined;
  const opening = openCallbackUrls(store, options.configuredUrls, options.log)
    .catch((error: unknown) => {
      // The store could not be read: the configured URLs apply, and changes last until the mock stops.
      options.log?.(`mock pushes: the callback URLs set at run time could not be read (${(error as Error).message}); the configured ones apply.`);
      return openCallbackUrls({ getMeta: async () => undefined, setMeta: async () => ({ ok: false, reason: "invalid", message: "the state store could not be read at start" }) }, options.configuredUrls);
    })
    .then((opened) => (callbackUrls = opened));
  const toPushes = (tenant: string, messages: readonly EmittedMessage[], now: number, urls: readonly string[]): NewPush[] => {
    if (!secrets.has(tenant)) return [];
    return urls.flatMap((to) =>
      messages.map((m): NewPush => {
        const messageType = renamed(m.messageType, m.assumed);
        const payload: PushPayload = { url: to, messageType, messagePlatform: m.platform, messageBody: m.body, entity: m.entity, action: m.action, assumed: m.assumed };
        return { tenant, topic: messageType, payload, dueAt: now, createdAt: now };
      }),
    );
  };
  const outbox = (urls: CallbackUrls, tenant: string, messages: readonly EmittedMessage[], now: number) => {
    const pushes = toPushes(tenant, messages, now, urls.of(tenant));
    if (pushes.length > 0) kickSoon();
    return pushes;
  };
  state.useOutbox(
    (tenant, messages, now) => (callbackUrls ? outbox(callbackUrls, tenant, messages, now) : opening.then((urls) => outbox(urls, tenant, messages, now))),
    (tenant, refused) => options.log?.(`mock pushes: ${refused.count} push(es) for ${tenant} refused, the outbox being full of pending pushes (the write itself was done; GET /__mock/pushes counts them): ${refused.message}`),
  );

  /** One delivery attempt of a claimed push: what to record of it. */
  const deliver = async (push: PushRecord): Promise<AttemptToRecord> => {
    const payload = readPushPayload(push.payload);
    const secret = secrets.get(push.tenant);
    const at = clock.now();
    if (!payload || secret === undefined) {
      const error = payload ? "the tenant has no AccessSecret in this mock's keys" : "the stored push is not a message";
      return { id: push.id, attempt: { at, owner, error }, outcome: "given-up", claimed: push };
    }
    const result = await sendPush(payload.url, toMessageText(payload, at), secret);
    const outcome = toNextStep(result.acknowledged, push.attemptCount, at);
    const attempt = { at, owner, url: toShownUrl(payload.url), latencyMs: result.latencyMs, ...(result.status !== undefined ? { status: result.status } : {}), ...(result.error !== undefined ? { error: result.error } : {}) };
    return { id: push.id, attempt, outcome, claimed: push };
  };

  // Claims due pushes a batch at a time, sends a batch together and records its attempts in one transaction.
  const dispatcher = createWakeLoop(
    async (loop) => {
      for (;;) {
        if (loop.stopped) return;
        const claimed = await store.claimDue(clock.now(), owner, leaseMs, batch);
        if (claimed.length === 0) return;
        const attempts = await Promise.all(claimed.map(deliver));
        const recorded = await store.recordAttempts(attempts);
        recorded.forEach((result, i) => {
          if (!result.ok) options.log?.(`mock push ${attempts[i]!.id}: ${result.message}`);
        });
      }
    },
    { clock, pollMs: options.pollMs ?? 250, onError: (error) => options.log?.(`mock push dispatcher: ${error.message}`) },
  );
  function kick(): void {
    dispatcher.wake();
  }
  // A write's pushes wake the dispatcher once the writes of this turn of the event loop are done
  // (setImmediate, once however many wrote): under load one claim and one record then carry the
  // pushes of many creates, not one each.
  let kickQueued = false;
  function kickSoon(): void {
    if (kickQueued) return;
    kickQueued = true;
    setImmediate(() => {
      kickQueued = false;
      kick();
    });
  }

  const find = async (id: number): Promise<PushRecord | undefined> => {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const page = await store.listPushes({ after: id - 1, limit: 1 });
    return page.pushes[0]?.id === id ? page.pushes[0] : undefined;
  };

  const service: PushService = {
    callbackUrls: () => opening,
    async verify({ tenant, url }) {
      const secret = secrets.get(tenant);
      if (secret === undefined) return { ok: false, status: 404, message: `There is no key ${toCappedText(tenant)} in this mock's keys, so nothing can be signed for it.` };
      const urls = url !== undefined ? [url] : (await opening).of(tenant);
      if (urls.length === 0) return { ok: false, status: 409, message: `The tenant ${toCappedText(tenant)} has no callback URL: set one (PUT /__mock/callback-urls/${toCappedText(tenant)}) or give a url.` };
      const messageType = renamed(VERIFY_MESSAGE_TYPE, true);
      const text = toMessageText({ messageType, messageBody: {}, messagePlatform: 0 }, clock.now());
      const results = await Promise.all(
        urls.map(async (to): Promise<ProbeResult> => {
          const sent = await sendPush(to, text, secret);
          return { url: toShownUrl(to), ok: sent.acknowledged, ...(sent.status !== undefined ? { status: sent.status } : {}), latencyMs: sent.latencyMs, ...(sent.error !== undefined ? { error: sent.error } : {}) };
        }),
      );
      return { ok: true, tenant, messageType, results };
    },
    async list({ tenant, state: pushState, limit = 100, after }) {
      const page = await store.listPushes({ tenant, state: pushState, limit, after });
      const stats = await store.stats();
      return { pushes: page.pushes.map(toPushView), next: page.next, counts: { kept: stats.pushes, finished: stats.finishedPushes, refused: stats.refusedPushes } };
    },
    async resend(id) {
      const push = await find(id);
      if (!push) return { ok: false, status: 404, message: `There is no push ${id}.` };
      const payload = readPushPayload(push.payload);
      if (!payload) return { ok: false, status: 409, message: `Push ${id} holds no message to send again.` };
      const now = clock.now();
      const appended = await store.append({ tenant: push.tenant, topic: push.topic, payload: { ...payload, resendOf: id }, dueAt: now, createdAt: now });
      if (!appended.ok) return { ok: false, status: 409, message: appended.message };
      kick();
      const copy = await find(appended.id);
      return { ok: true, push: toPushView(copy!) };
    },
    async sendByHand({ tenant, type, id, messageType, url }) {
      const read = await state.read(tenant, type, id);
      if (!read.ok) return { ok: false, status: read.code === "unknown-type" || read.code === "bad-id" ? 404 : 409, message: read.message };
      const declared = state.messagesOf(type);
      const chosen = messageType === undefined ? declared[0] : declared.find((d) => d.messageType === messageType || renamed(d.messageType, d.assumed) === messageType);
      if (!chosen) {
        const names = declared.map((d) => renamed(d.messageType, d.assumed));
        return { ok: false, status: 400, message: names.length === 0 ? `A ${type} pushes no message.` : `A ${type} pushes ${names.join(", ")}, not ${toCappedText(messageType ?? "")}.` };
      }
      if (!secrets.has(tenant)) return { ok: false, status: 409, message: `The tenant ${toCappedText(tenant)} has no AccessSecret in this mock's keys, so its pushes cannot be signed.` };
      const urls = url !== undefined ? [url] : (await opening).of(tenant);
      if (urls.length === 0) return { ok: false, status: 409, message: `The tenant ${toCappedText(tenant)} has no callback URL: set one (PUT /__mock/callback-urls/${toCappedText(tenant)}) or give a url.` };
      const now = clock.now();
      const message = state.toMessage(read.entity, chosen, now);
      const views: PushView[] = [];
      for (const push of toPushes(tenant, [{ ...message, action: "by-hand" }], now, urls)) {
        const appended = await store.append(push);
        if (!appended.ok) return { ok: false, status: 409, message: appended.message };
        views.push(toPushView((await find(appended.id))!));
      }
      kick();
      return { ok: true, pushes: views };
    },
    kick,
    async idle() {
      await options.timers?.idle();
      await dispatcher.idle();
    },
    async stop() {
      state.useOutbox(undefined);
      await dispatcher.stop();
    },
  };
  state.onClose(() => service.stop());
  return service;
}
