import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseLossless, toPlainValue } from "../../protocol/parse-lossless.js";
import { toJsonText } from "../../protocol/json-wire.js";
import { SCHEMA_DIR } from "../../schemas/catalog.js";
import { PANDAPON_PATH, nextNonce, toSignedPandaponHeaders } from "./create-load-requests.js";
import type { PlainRequest } from "./send-request.js";

export const REFUND_CREATE_PATH = "/alibaba/refund/detail/create";

/**
 * The create request every flow sends: the realistic example of /alibaba/refund/detail/create (a
 * return refund of a received sub-order, the 1688 createRefund example's values), 19-digit ids exact.
 */
export function readRefundCreateExample(): { payload: Record<string, unknown>; body: string } {
  const file = join(SCHEMA_DIR, "examples", "alibaba-refund-detail-create", "request.realistic.json");
  const parsed = parseLossless(readFileSync(file, "utf8"));
  if (!parsed.ok) throw new Error(`Failed to read ${file}: it ${parsed.message}.`);
  const payload = toPlainValue((parsed.value as { payload: unknown }).payload, "bigint") as Record<string, unknown>;
  return { payload, body: toJsonText(payload) };
}

let createBody: string | undefined;

/** A signed `POST /alibaba/refund/detail/create` of the example request (its own nonce). */
export function createRefundCreateRequest(): PlainRequest {
  createBody ??= readRefundCreateExample().body;
  return { method: "POST", path: REFUND_CREATE_PATH, headers: { ...toSignedPandaponHeaders(nextNonce()), "content-type": "application/json" }, body: createBody };
}

/** A signed `POST /alibaba/refund/info` of one refund id (its own nonce; the demo key's, so the demo access-key is the tenant). */
export function createRefundReadRequest(refundId: string): PlainRequest {
  return { method: "POST", path: PANDAPON_PATH, headers: { ...toSignedPandaponHeaders(nextNonce()), "content-type": "application/json" }, body: JSON.stringify({ refundId }) };
}

/** Reads of a fixed set of ids, one after the other round and round (clients polling their refunds). */
export function createPollingRequests(ids: readonly string[]): () => PlainRequest {
  if (ids.length === 0) throw new Error("Failed to poll stored refunds: there are no ids to poll.");
  let next = 0;
  return () => createRefundReadRequest(ids[next++ % ids.length]!);
}

/** The `data.refundId` of a PandaPon answer (a TQ id is text, so plain JSON reads it exactly), or undefined. */
export function readAnsweredRefundId(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { data?: { refundId?: unknown } }).data?.refundId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
