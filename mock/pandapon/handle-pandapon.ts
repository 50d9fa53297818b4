import { toCappedText } from "../../protocol/capped-text.js";
import type { MockCore } from "../create-core.js";
import type { MockRequest, MockResponse } from "../exchange.js";
import { readParams } from "../exchange.js";
import { answerPandaponError } from "./answer-pandapon-error.js";
import { authenticatePandapon } from "./authenticate.js";
import { readPandaponRequest } from "./read-pandapon-request.js";
import { toPandaponRequestId } from "./to-pandapon-request-id.js";
import { writePandaponCodeMsgSuccess, writePandaponSuccess } from "./write-pandapon-envelope.js";

/** The PandaPon pipeline: route → authenticate → read and validate → produce → respond. */
export function handlePandapon(core: MockCore, req: MockRequest): MockResponse {
  const route = core.catalog.matchRoute(req.method, req.path);
  if (!route) {
    const other = ["GET", "POST"].find((m) => m !== req.method && core.catalog.matchRoute(m, req.path));
    return other
      ? answerPandaponError(core, "METHOD_NOT_ALLOWED", `${req.method} ${req.path}`, `Method ${req.method} is not allowed on ${toCappedText(req.path)}: use ${other}.`)
      : answerPandaponError(core, "UNKNOWN_OPERATION", `${req.method} ${req.path}`, `No PandaPon operation at ${req.method} ${toCappedText(req.path)}: see GET /__mock/operations for the served paths.`);
  }
  const { operation, pathParams } = route;
  const query = readParams(req.query);
  const rawBody = req.rawBody.toString("utf8");
  let developId: string | undefined;
  if (core.options.verifySignatures) {
    const auth = authenticatePandapon(operation, req.headers, query, rawBody, core.options, core.nonces);
    if (!auth.ok) return answerPandaponError(core, auth.error, operation.meta.name, auth.message);
    developId = auth.key.developId;
  }
  const reading = readPandaponRequest(operation, query, pathParams, req.headers, rawBody);
  if (!reading.ok) return answerPandaponError(core, reading.error, operation.meta.name, reading.message);
  if (operation.meta.envelope === "pandapon-code-msg") {
    return core.answer(operation, reading.payload, "json", (data) => writePandaponCodeMsgSuccess(operation.data ? data : undefined));
  }
  const answerer = developId ?? core.options.pandapon.keys[0]?.developId ?? null;
  return core.answer(operation, reading.payload, "json", (data) => writePandaponSuccess(toPandaponRequestId(core.options.seed, req), answerer, data));
}

