import { parse } from "lossless-json";
import type { EntityTypeInfo } from "../protocol/entity-type-info.js";
import { toCappedText } from "../protocol/capped-text.js";
import { toJsonText } from "../protocol/json-wire.js";
import { toExactNumber } from "../protocol/to-exact-number.js";
import { ClientError } from "./client-error.js";
import { DEFAULT_MAX_RESPONSE_BYTES, readCappedText } from "./read-capped-text.js";

/** An entity as the mock's admin API shows it (fields: JSON values, integers beyond 2^53 as bigint). */
export interface AdminEntity {
  type: string;
  tenant: string;
  id: string;
  state: string;
  fields: Record<string, unknown>;
  history: Array<{ at: number; action: string; from: string | null; to: string }>;
  timers: Array<{ action: string; at: number }>;
  version: number;
  createdAt: number;
  updatedAt: number;
  allowedActions: string[];
  /** false: born for an id nobody wrote (not stored until its first action). */
  stored: boolean;
}

/** One entity type as the admin API lists it. */
export type AdminEntityType = EntityTypeInfo;

export interface AdminClock {
  now: string;
  epochMs: number;
  setting: { mode: "offset"; offsetMs: number } | { mode: "frozen"; at: number };
}

export interface AdminEntityPage {
  entities: AdminEntity[];
  next: { tenant: string; type: string; id: string } | null;
}

/** What the "Verify" probe found at one callback URL: ok = HTTP 200 within 1000 ms. */
export interface AdminProbeResult {
  url: string;
  ok: boolean;
  status?: number;
  latencyMs: number;
  error?: string;
}

/** POST /__mock/callback-urls/verify's answer. */
export interface AdminProbe {
  tenant: string;
  /** The probe's messageType (the project's name: what the console's "Verify" sends is not documented). */
  messageType: string;
  results: AdminProbeResult[];
}

/** GET /__mock/callback-urls's answer: each tenant's URLs, and which were set at run time (kept in the state, over the configured ones). */
export interface AdminCallbackUrls {
  tenants: Record<string, string[]>;
  setAtRunTime: string[];
}

/** An answer of the admin API other than 2xx: its status and `{error}` (a 409 refusal also names `allowedActions`). */
export class AdminClientError extends Error {
  override readonly name = "AdminClientError";
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface AdminClientOptions {
  /** The mock, e.g. http://127.0.0.1:4010. */
  baseUrl: string;
  /** The mock's admin token, when it has one. */
  token?: string;
  fetch?: typeof fetch;
  /** Per call, including reading the answer; beyond it the call rejects with a ClientError "timeout". Default 30 000 ms (a clock move over a large store takes a while). */
  timeoutMs?: number;
}

/** The `error` of an admin answer, as text of bounded length (a text as it is; anything else, JSON). */
function toErrorText(error: unknown): string {
  if (error === undefined || error === null) return "";
  if (typeof error === "string") return toCappedText(error);
  try {
    return toCappedText(toJsonText(error) ?? "");
  } catch {
    return "(an error that is not text)";
  }
}

export interface AdminClient {
  entities: {
    types(): Promise<AdminEntityType[]>;
    list(query?: { type?: string; tenant?: string; limit?: number }): Promise<AdminEntityPage>;
    get(type: string, id: string, options?: { tenant?: string }): Promise<AdminEntity>;
    act(type: string, id: string, action: string, options?: { input?: unknown; tenant?: string }): Promise<AdminEntity>;
    create(type: string, options?: { action?: string; input?: unknown; tenant?: string }): Promise<AdminEntity>;
  };
  clock: {
    get(): Promise<AdminClock>;
    advance(seconds: number): Promise<AdminClock>;
  };
  /** Where each tenant's pushes go (the console's callback URLs), and its "Verify" probe. */
  callbackUrls: {
    get(): Promise<AdminCallbackUrls>;
    /** Replaces a tenant's URLs; kept in the mock's state, over the configured ones. */
    set(tenant: string, urls: string[]): Promise<{ tenant: string; urls: string[] }>;
    /** Goes back to the configured URLs. */
    forget(tenant: string): Promise<{ tenant: string; urls: string[] }>;
    /** Sends one signed probe to each URL of the tenant (default: the mock's first key), or to `url`, now. */
    verify(options?: { tenant?: string; url?: string }): Promise<AdminProbe>;
  };
  /** Forgets every entity (or one tenant's); the clock stays. */
  reset(options?: { tenant?: string }): Promise<void>;
}

/** A client of the mock's admin API (/__mock/entities, /__mock/clock, /__mock/callback-urls, /__mock/reset) of a running mock. */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const call = async <T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T> => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const url = `${base}${path}${params.size > 0 ? `?${params}` : ""}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let text: string;
    let status: number;
    try {
      const res = await doFetch(url, { method, headers, body: body === undefined ? undefined : toJsonText(body), signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      const read = await readCappedText(res, DEFAULT_MAX_RESPONSE_BYTES);
      if (read === undefined) throw new ClientError("too-large", `Failed to call "${method} ${url}": the answer (${status}) is larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes; it was not read.`, { url });
      text = read;
    } catch (error) {
      if (error instanceof ClientError) throw error;
      if (error instanceof Error && error.name === "TimeoutError") {
        throw new ClientError("timeout", `Failed to call "${method} ${url}": no answer within ${timeoutMs} ms.`, { url }, { cause: error });
      }
      throw new ClientError("network", `Failed to call "${method} ${url}": ${(error as Error)?.message ?? String(error)}. Is the mock running there?`, { url }, { cause: error });
    }
    let value: unknown;
    try {
      value = parse(text, undefined, { parseNumber: toExactNumber });
    } catch {
      throw new AdminClientError(status, `Failed to call "${method} ${url}": the answer (${status}) is not JSON.`, { text: text.slice(0, 200) });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new AdminClientError(status, `Failed to call "${method} ${url}": the answer (${status}) is not a JSON object.`, { text: text.slice(0, 200) });
    }
    const document = value as Record<string, unknown>;
    if (status >= 300) throw new AdminClientError(status, `Failed to call "${method} ${url}": ${status} ${toErrorText(document.error)}`.trim(), document);
    return document as T;
  };
  const entityPath = (type: string, id: string) => `/__mock/entities/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
  return {
    entities: {
      types: async () => {
        const { types } = await call<{ types: unknown }>("GET", "/__mock/entities/types");
        if (!Array.isArray(types)) throw new AdminClientError(200, `Failed to call "GET ${base}/__mock/entities/types": the answer has no list of types.`, { types });
        return types as AdminEntityType[];
      },
      list: (query = {}) => call("GET", "/__mock/entities", query),
      get: (type, id, { tenant } = {}) => call("GET", entityPath(type, id), { tenant }),
      act: (type, id, action, { input, tenant } = {}) => call("POST", `${entityPath(type, id)}/actions/${encodeURIComponent(action)}`, {}, { input, tenant }),
      create: (type, { action, input, tenant } = {}) => call("POST", `/__mock/entities/${encodeURIComponent(type)}`, {}, { action, input, tenant }),
    },
    clock: {
      get: () => call("GET", "/__mock/clock"),
      advance: (seconds) => call("POST", "/__mock/clock", {}, { advanceSeconds: seconds }),
    },
    callbackUrls: {
      get: () => call("GET", "/__mock/callback-urls"),
      set: (tenant, urls) => call("PUT", `/__mock/callback-urls/${encodeURIComponent(tenant)}`, {}, { urls }),
      forget: (tenant) => call("DELETE", `/__mock/callback-urls/${encodeURIComponent(tenant)}`),
      verify: ({ tenant, url } = {}) => call("POST", "/__mock/callback-urls/verify", {}, { tenant, url }),
    },
    reset: async ({ tenant } = {}) => {
      await call("POST", "/__mock/reset", {}, tenant === undefined ? {} : { tenant });
    },
  };
}
