import { randomBytes } from "node:crypto";
import { DEMO_PANDAPON, DEMO_TOP } from "../../protocol/demo.js";
import { DEFAULT_SCHEME, signPandapon } from "../../signing/pandapon-scheme.js";
import { signTop } from "../../signing/top-sign.js";
import { toTopTimestamp } from "../../signing/verify.js";

export const PANDAPON_PATH = "/alibaba/refund/info";
export const TOP_PATH = "/router/rest";
export const TOP_METHOD = "taobao.pc.refund.detail";

/** A process-unique prefix, so two bench runs against one long-lived mock never share a nonce. */
const RUN = randomBytes(8).toString("hex");
let counter = 0;
let distinctIds = 0;

/**
 * How many distinct refund / dispute ids the load cycles through: 0 (the default) gives every
 * request its own, so every answer is generated; a small number models clients polling the same
 * refunds, answered from the mock's answer cache. Nonces stay unique either way.
 */
export function setDistinctIds(count: number): void {
  distinctIds = count;
}

/** A refund id (unique, or one of `distinctIds`) and a 32-character nonce no other request of this run uses. */
function nextIds(): { refundId: string; nonce: string; n: number } {
  counter += 1;
  const id = distinctIds > 0 ? (counter % distinctIds) + 1 : counter;
  return { refundId: `TQ367063${String(id).padStart(11, "0")}`, nonce: RUN + counter.toString(16).padStart(16, "0"), n: id };
}

/** A 32-character nonce no other request of this run uses (for requests that need no new refund id). */
export function nextNonce(): string {
  counter += 1;
  return RUN + counter.toString(16).padStart(16, "0");
}

/** The five system headers of a freshly signed PandaPon request (demo key, now, a new nonce). */
export function toSignedPandaponHeaders(nonce: string, now = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {
    "access-key": DEMO_PANDAPON.accessKey,
    "nonce-str": nonce,
    timestamp: String(now),
    "user-id": DEMO_PANDAPON.userId,
  };
  headers.signature = signPandapon(DEFAULT_SCHEME, { headers }, DEMO_PANDAPON.secret).signature;
  return headers;
}

/** A signed `POST /alibaba/refund/info`: its own nonce and refund id every time. */
export function createPandaponRequest(): { method: "POST"; path: string; headers: Record<string, string>; body: string } {
  const { refundId, nonce } = nextIds();
  const body = JSON.stringify({ refundId });
  return { method: "POST", path: PANDAPON_PATH, headers: { ...toSignedPandaponHeaders(nonce), "content-type": "application/json" }, body };
}

/** The parameters of a `taobao.pc.refund.detail` in JSON for the demo app, timestamped now, not yet signed. */
export function toTopRefundParams(refundDetailOrderReq: string): Record<string, string> {
  return {
    method: TOP_METHOD,
    app_key: DEMO_TOP.appKey,
    timestamp: toTopTimestamp(Date.now()),
    v: "2.0",
    sign_method: "md5",
    format: "json",
    refund_detail_order_req: refundDetailOrderReq,
  };
}

/** A form-encoded, md5-signed `taobao.pc.refund.detail` in JSON, signed afresh (TOP has no nonce). */
export function createTopRequest(): { method: "POST"; path: string; headers: Record<string, string>; body: string } {
  const { n } = nextIds();
  const params = toTopRefundParams(JSON.stringify({ dispute_id: String(10_000_000 + n), buyer_id: 10_000_001 }));
  params.sign = signTop(params, DEMO_TOP.secret, "md5");
  return { method: "POST", path: TOP_PATH, headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" }, body: new URLSearchParams(params).toString() };
}
