import type { Operation } from "../../schemas/catalog.js";
import type { MockCore } from "../create-core.js";
import type { MockRequest, MockResponse } from "../exchange.js";
import { JSON_TYPE, readParams } from "../exchange.js";
import { authenticatePandapon } from "./authenticate.js";
import type { PandaponErrorName } from "../../protocol/pandapon-error-table.js";
import { PANDAPON_ERRORS } from "../../protocol/pandapon-error-table.js";
import { readPandaponRequest } from "./read-pandapon-request.js";
import { toPandaponRequestId } from "./to-pandapon-request-id.js";
import { MESSAGE_LIMIT, toCappedText } from "../../protocol/capped-text.js";
import { asWireText, toWireText } from "../../protocol/wire-text.js";

/** The success message, as the wire text the envelope is written in. */
const SUCCESS = toWireText("成功");

/** The PandaPon pipeline: route → authenticate → read and validate → produce → respond. */
export function handlePandapon(core: MockCore, req: MockRequest): MockResponse {
  const route = core.catalog.matchRoute(req.method, req.path);
  if (!route) {
    const other = ["GET", "POST"].find((m) => m !== req.method && core.catalog.matchRoute(m, req.path));
    return other
      ? toPandaponError(core, "METHOD_NOT_ALLOWED", `${req.method} ${req.path}`, `Method ${req.method} is not allowed on ${toCappedText(req.path)}: use ${other}.`)
      : toPandaponError(core, "UNKNOWN_OPERATION", `${req.method} ${req.path}`, `No PandaPon operation at ${req.method} ${toCappedText(req.path)}: see GET /__mock/operations for the served paths.`);
  }
  const { operation, pathParams } = route;
  const query = readParams(req.query);
  const rawBody = req.rawBody.toString("utf8");
  let developId: string | undefined;
  if (core.options.verifySignatures) {
    const auth = authenticatePandapon(operation, req.headers, query, rawBody, core.options, core.nonces);
    if (!auth.ok) return toPandaponError(core, auth.error, operation.meta.name, auth.message);
    developId = auth.key.developId;
  }
  const reading = readPandaponRequest(operation, query, pathParams, req.headers, rawBody);
  if (!reading.ok) return toPandaponError(core, reading.error, operation.meta.name, reading.message);
  return toPandaponSuccess(core, operation, req, reading.payload, developId ?? core.options.pandapon.keys[0]?.developId ?? null);
}

/** The success envelope around the (cached or generated) data text: requestId (of this request's bytes), code 200, developId, 成功. */
function toPandaponSuccess(core: MockCore, operation: Operation, req: MockRequest, request: Record<string, unknown>, developId: string | null): MockResponse {
  const { dataText } = core.produceDataText(operation, request);
  const body = asWireText(
    operation.meta.envelope === "pandapon-code-msg"
      ? operation.data
        ? `{"code":200,"msg":"${SUCCESS}","data":${dataText}}`
        : `{"code":200,"msg":"${SUCCESS}"}`
      : `{"requestId":"${toPandaponRequestId(core.options.seed, req)}","code":200,"developId":${toWireText(JSON.stringify(developId))},"msg":"${SUCCESS}","data":${dataText}}`,
  );
  core.assertValidResponse(operation, body);
  core.record({ api: "pandapon", operation: operation.meta.name, status: 200, code: 200, message: "成功" });
  return { status: 200, contentType: JSON_TYPE, body };
}

/** The one place PandaPon errors are shaped: the envelope with data null, status and code from the table, the message capped. */
export function toPandaponError(core: MockCore, name: PandaponErrorName, operation: string, message: string): MockResponse {
  const entry = PANDAPON_ERRORS[name];
  const override = core.options.pandapon.errors[name];
  const status = override?.status ?? entry.status;
  const code = override?.code ?? entry.code;
  const msg = toCappedText(message, MESSAGE_LIMIT);
  core.record({ api: "pandapon", operation, status, code, message: msg });
  return {
    status,
    contentType: JSON_TYPE,
    body: toWireText(JSON.stringify({ requestId: null, code, developId: null, msg, data: null })),
  };
}
