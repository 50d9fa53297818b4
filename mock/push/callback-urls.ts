import { checkCallbackUrl } from "./send-push.js";

/** Most callback URLs one tenant may register. */
export const MAX_CALLBACK_URLS = 10;

/** The callback URLs of each tenant (the console's 消息服务 setting), changeable at run time. */
export interface CallbackUrls {
  of(tenant: string): readonly string[];
  /** Replaces a tenant's URLs (an empty list stops its pushes); throws a TypeError naming the bad URL. */
  set(tenant: string, urls: readonly string[]): void;
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

export function createCallbackUrls(initial: ReadonlyMap<string, readonly string[]>): CallbackUrls {
  const urls = new Map<string, string[]>();
  const registry: CallbackUrls = {
    of: (tenant) => urls.get(tenant) ?? [],
    set(tenant, list) {
      const problem = checkCallbackUrls(list);
      if (problem !== undefined) throw new TypeError(`Failed to set the callback URLs of ${tenant}: ${problem}.`);
      if (list.length === 0) urls.delete(tenant);
      else urls.set(tenant, [...new Set(list)]);
    },
    all: () => Object.fromEntries([...urls].map(([tenant, list]) => [tenant, [...list]])),
  };
  for (const [tenant, list] of initial) registry.set(tenant, list);
  return registry;
}
