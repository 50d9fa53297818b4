import { toWireText } from "../../protocol/wire-text.js";
import type { MockCore } from "../create-core.js";
import type { MockRequest, MockResponse } from "../exchange.js";
import { answerPandaponError } from "../pandapon/answer-pandapon-error.js";
import { toPandaponRequestId } from "../pandapon/to-pandapon-request-id.js";
import { answerTopError } from "../top/answer-top-error.js";
import { identifyRequest } from "./identify-request.js";
import { RECORDING_MASK } from "./mask-recorded.js";
import type { Recording } from "./recording.js";

const PANDAPON_REQUEST_ID = /("requestId"\s*:\s*)"(?:[^"\\]|\\.)*"/;
const MASKED_DEVELOP_ID = new RegExp(`("developId"\\s*:\\s*)"${RECORDING_MASK.replace(/\*/g, "\\*")}"`);
const TOP_REQUEST_ID_JSON = /("request_id"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const TOP_REQUEST_ID_XML = /<request_id>[^<]*<\/request_id>/g;

/** The recorded body in a fresh envelope: this request's requestId (request_id), and the mock's developId where it was masked. */
function toReenveloped(recording: Recording, requestId: string, developId: string | null): string {
  const body = recording.answer.body;
  if (recording.api === "top") {
    return body.replace(TOP_REQUEST_ID_JSON, `$1"${requestId}"`).replace(TOP_REQUEST_ID_XML, `<request_id>${requestId}</request_id>`);
  }
  return body.replace(PANDAPON_REQUEST_ID, `$1"${requestId}"`).replace(MASKED_DEVELOP_ID, `$1${JSON.stringify(developId)}`);
}

/**
 * Replay (serve --replay): the recorded answer of a request that matches a recorded exchange
 * (operation and masked business payload; signature, nonce and timestamp are not part of it),
 * re-enveloped; with `strict`, a request that matches none is answered "not recorded" in the
 * protocol's error shape; otherwise undefined, and the mock generates as usual.
 */
export function answerReplay(core: MockCore, req: MockRequest, topRequestId: string): MockResponse | undefined {
  const book = core.options.replay;
  if (!book) return undefined;
  const identified = identifyRequest(core.catalog, req);
  if (!identified) return undefined;
  const name = identified.operation.meta.name;
  const recording = book.take(identified);
  if (recording) {
    const requestId = identified.api === "top" ? topRequestId : toPandaponRequestId(core.options.seed, req);
    const developId = core.options.pandapon.keys.find((k) => k.accessKey === req.headers["access-key"])?.developId ?? core.options.pandapon.keys[0]?.developId ?? null;
    core.record({ api: identified.api, operation: name, status: recording.answer.status, code: "replay", message: `replayed recording ${recording.key} #${recording.sequence}` });
    return { status: recording.answer.status, contentType: recording.answer.contentType, body: toWireText(toReenveloped(recording, requestId, developId)) };
  }
  if (!book.strict) return undefined;
  const reason = `No recorded exchange of ${name} matches this request's business payload (the mock replays recordings strictly: --replay-strict).`;
  return identified.api === "top"
    ? answerTopError(core, identified.format, topRequestId, name, { error: "REMOTE_SERVICE_ERROR", subCode: "isv.replay-not-recorded", subMsg: reason })
    : answerPandaponError(core, "UNKNOWN_OPERATION", name, reason);
}
