import type { Operation } from "../../schemas/catalog.js";
import { toTopResponseKey } from "../../schemas/operation.js";

/** Puts generated data in the operation's success envelope, as the mock would send it. */
export function toResponseKeyEnvelope(op: Operation, data: unknown): unknown {
  switch (op.meta.envelope) {
    case "top":
      return { [toTopResponseKey(op.meta.topMethod ?? op.meta.name)]: { ...(data as object), request_id: "abc" } };
    case "none":
      return data;
    case "pandapon-code-msg":
      return op.data ? { code: 200, msg: "成功", data } : { code: 200, msg: "成功" };
    default:
      return { requestId: "4cfda0b725184ab8a1e3ee3b9051ec35", code: 200, developId: "1014533973088404335", msg: "成功", data };
  }
}
