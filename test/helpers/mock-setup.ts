import { createApp } from "../../mock/app.js";
import type { MockResponse } from "../../mock/exchange.js";
import type { DeepPartial, MockOptions } from "../../mock/options.js";
import type { Catalog } from "../../schemas/catalog.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../../protocol/demo.js";
import { DEFAULT_SCHEME, signPandapon } from "../../signing/pandapon-scheme.js";
import { signTop } from "../../signing/top-sign.js";
import { toTopTimestamp } from "../../signing/verify.js";

/** 2025-05-14 12:00:00 UTC: the clock every mock test runs on. */
export const NOW = Date.UTC(2025, 4, 14, 12, 0, 0);

export function setupMock(options: DeepPartial<MockOptions> = {}, catalog?: Catalog) {
  let counter = 0;
  const app = createApp({ now: () => NOW, validateResponses: true, ...options }, catalog);
  /** The five PandaPon system headers, signed with the demo key (each call a fresh nonce). */
  const pandaponHeaders = (overrides: Record<string, string | undefined> = {}, secret: string = DEMO_PANDAPON.secret) => {
    counter += 1;
    const headers: Record<string, string | undefined> = {
      "access-key": DEMO_PANDAPON.accessKey,
      "nonce-str": `${String(counter).padStart(8, "0")}5f2b9c1e8d7a4e3f9b6c2d1a`,
      timestamp: String(NOW),
      "user-id": DEMO_PANDAPON.userId,
      ...overrides,
    };
    headers.signature ??= signPandapon(DEFAULT_SCHEME, { headers }, secret).signature;
    return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
  };
  /** TOP system + business parameters, md5-signed with the demo app unless told otherwise. */
  const topParams = (business: Record<string, string>, overrides: Record<string, string | undefined> = {}, secret: string = DEMO_TOP.secret) => {
    const params: Record<string, string | undefined> = {
      method: "taobao.pc.refund.detail",
      app_key: DEMO_TOP.appKey,
      timestamp: toTopTimestamp(NOW),
      v: "2.0",
      sign_method: "md5",
      format: "json",
      ...business,
      ...overrides,
    };
    const method = (params.sign_method ?? "md5") as "md5" | "hmac" | "hmac-sha256";
    if (!("sign" in overrides)) params.sign = signTop(params, secret, ["md5", "hmac", "hmac-sha256"].includes(method) ? method : "md5");
    return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>;
  };
  return { app, pandaponHeaders, topParams };
}

/** A stateless pipeline's answer, which comes at once (a promise means the request went to the state layer). */
export function answeredNow(answer: MockResponse | Promise<MockResponse>): MockResponse {
  if (answer instanceof Promise) throw new Error("expected an answer at once from a stateless mock");
  return answer;
}
