import envelopes from "./common/envelopes.json" with { type: "json" };

/** JSON Schema as plain data. */
export type JsonSchema = { [key: string]: unknown };

export type Api = "pandapon" | "top" | "callback";
export type Envelope = "pandapon" | "pandapon-code-msg" | "top" | "none";

/** The `x-operation` block of an operation file (metaschema in common/keywords.json). */
export interface OperationMeta {
  api: Api;
  name: string;
  method?: "GET" | "POST";
  path?: string;
  aliases?: string[];
  topMethod?: string;
  messageType?: string;
  group: string;
  summary: string;
  docUrl: string;
  source?: string;
  coverage: "full" | "partial";
  requestIn?: "body" | "query" | "none";
  auth?: "headers" | "query-sign" | "none";
  envelope: Envelope;
  notes?: string[];
}

/** TOP's response root: method without a leading `taobao.`, dots to underscores, + `_response`. */
export function toTopResponseKey(topMethod: string): string {
  return topMethod.replace(/^taobao\./, "").replace(/\./g, "_") + "_response";
}

/**
 * The whole response document for an operation: its `Data` (referenced by `dataRef`) inside the
 * protocol's envelope. The one place envelopes are put around data, for validators and types alike.
 */
export function toResponseSchema(meta: OperationMeta, dataRef: string, hasData: boolean): JsonSchema {
  const data = hasData ? { data: { $ref: dataRef } } : {};
  switch (meta.envelope) {
    case "pandapon":
      return { type: "object", properties: { ...envelopes.definitions.PandaponEnvelope.properties, ...data } };
    case "pandapon-code-msg":
      return { type: "object", properties: { ...envelopes.definitions.PandaponCodeMsgEnvelope.properties, ...data } };
    case "top": {
      const key = toTopResponseKey(meta.topMethod ?? meta.name);
      return {
        type: "object",
        required: [key],
        properties: {
          [key]: { allOf: [{ $ref: dataRef }, { type: "object", properties: { request_id: { type: "string" } } }] },
        },
      };
    }
    case "none":
      return { $ref: dataRef };
  }
}

/**
 * Where an operation's Data sits in its whole response document, as a dotted path: `data`
 * (PandaPon), `<method>_response` (TOP), `` (no envelope: the document is the Data).
 */
export function toDataPath(meta: OperationMeta): string {
  switch (meta.envelope) {
    case "pandapon":
    case "pandapon-code-msg":
      return "data";
    case "top":
      return toTopResponseKey(meta.topMethod ?? meta.name);
    case "none":
      return "";
  }
}

/** `/v2/alibaba/refund/goods/return` → `V2AlibabaRefundGoodsReturn`; `taobao.pc.refund.detail` → `TaobaoPcRefundDetail`. */
export function toTypeName(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => (/^\d/.test(part) ? `_${part}` : part[0]!.toUpperCase() + part.slice(1)))
    .join("");
}
