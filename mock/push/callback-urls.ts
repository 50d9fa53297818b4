import type { StateStore } from "../state/store.js";
import { checkCallbackUrl } from "./send-push.js";

/** Most callback URLs one tenant may register. */
export const MAX_CALLBACK_URLS = 10;

/** The meta key under which a tenant's callback URLs set at run time are kept in the state store. */
export function toCallbackMetaKey(tenant: string): string {
  return `callback-urls:${tenant}`;
}

/**
 * The callback URLs of each tenant (the console's 消息服务 setting). The configured ones (config
 * `keys[].callbackUrls`, `--callback-url`) are the starting value; a change at run time is kept in
 * the state store and wins over the configuration, at this start and the next ones, until it is
 * forgotten (then the configured URLs apply again).
 */
export interface CallbackUrls {
  of(tenant: string): readonly string[];
  /** Whether the tenant is one of this mock's keys (only those can be pushed to: pushes are signed with their secret). */
  has(tenant: string): boolean;
  /** Replaces a tenant's URLs (an empty list stops its pushes) and keeps them in the store; throws a TypeError naming the bad URL. */
  set(tenant: string, urls: readonly string[]): Promise<void>;
  /** Drops the run-time change: the configured URLs apply again. */
  forget(tenant: string): Promise<void>;
  /** The tenants whose URLs were set at run time (kept in the store). */
  setAtRunTime(): string[];
  all(): Record<string, string[]>;
}

/** Why a list of callback URLs cannot be registered, or undefined. */
export function checkCallbackUrls(urls: unknown): string | undefined {
  if (!Array.isArray(urls)) return "callbackUrls must be a list of URLs";
  if (urls.length > MAX_CALLBACK_URLS) return `a tenant has at most ${MAX_CALLBACK_URLS} callback URLs`;
  for (const url of urls) {
    const problem = checkCallbackUrl(url);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** What the store keeps for a tenant: `{urls}`, or null once forgotten. */
function readKept(value: unknown): string[] | undefined {
  const urls = (value as { urls?: unknown } | null)?.urls;
  return urls !== undefined && checkCallbackUrls(urls) === undefined ? [...new Set(urls as string[])] : undefined;
}

/**
 * The tenants' callback URLs: `configured` (one entry per key of this mock), each replaced by the
 * list set at run time when the store keeps one. A kept list that no longer reads as URLs is
 * passed over (logged), the configured one applies.
 */
export async function openCallbackUrls(store: Pick<StateStore, "getMeta" | "setMeta">, configured: ReadonlyMap<string, readonly string[]>, log?: (line: string) => void): Promise<CallbackUrls> {
  const urls = new Map<string, string[]>();
  const changed = new Set<string>();
  for (const [tenant, list] of configured) {
    const problem = checkCallbackUrls(list);
    if (problem !== undefined) throw new TypeError(`Failed to set the callback URLs of ${tenant}: ${problem}.`);
    urls.set(tenant, [...new Set(list)]);
    const value = await store.getMeta(toCallbackMetaKey(tenant));
    if (value === undefined || value === null) continue;
    const kept = readKept(value);
    if (kept === undefined) {
      log?.(`mock pushes: the callback URLs kept for ${tenant} are not a list of URLs; the configured ones apply.`);
      continue;
    }
    urls.set(tenant, kept);
    changed.add(tenant);
    log?.(`mock pushes: ${tenant}'s callback URLs are the ones set at run time (kept in the state), not the configured ones; DELETE /__mock/callback-urls/${tenant} goes back to those.`);
  }
  const save = async (tenant: string, value: unknown) => {
    const result = await store.setMeta(toCallbackMetaKey(tenant), value);
    if (!result.ok) throw new Error(`Failed to keep the callback URLs of ${tenant}: ${result.message}`);
  };
  return {
    of: (tenant) => urls.get(tenant) ?? [],
    has: (tenant) => configured.has(tenant),
    async set(tenant, list) {
      const problem = checkCallbackUrls(list);
      if (problem !== undefined) throw new TypeError(`Failed to set the callback URLs of ${tenant}: ${problem}.`);
      const unique = [...new Set(list)];
      await save(tenant, { urls: unique });
      urls.set(tenant, unique);
      changed.add(tenant);
    },
    async forget(tenant) {
      await save(tenant, null);
      urls.set(tenant, [...new Set(configured.get(tenant) ?? [])]);
      changed.delete(tenant);
    },
    setAtRunTime: () => [...changed],
    all: () => Object.fromEntries([...urls].filter(([, list]) => list.length > 0).map(([tenant, list]) => [tenant, [...list]])),
  };
}
