import type { WireText } from "../../protocol/wire-text.js";
import { asWireText, toWireText } from "../../protocol/wire-text.js";
import type { EncodedAnswer } from "../generate/create-producer.js";

/** The success message, as the wire text the envelope is written in. */
const SUCCESS = toWireText("成功");

// The envelopes are written around the encoded data (wire text) from ASCII and wire text only, so the
// whole body stays wire text: one char a byte, sent as is (see protocol/wire-text.ts).

/** The standard envelope: requestId (of this request's bytes), code 200, developId, 成功, data. */
export function writePandaponSuccess(requestId: string, developId: string | null, data: EncodedAnswer): WireText {
  return asWireText(`{"requestId":"${requestId}","code":200,"developId":${toWireText(JSON.stringify(developId))},"msg":"${SUCCESS}","data":${data.text}}`);
}

/** The code-and-msg envelope: code 200, 成功, and data when the operation answers any. */
export function writePandaponCodeMsgSuccess(data: EncodedAnswer | undefined): WireText {
  return asWireText(data ? `{"code":200,"msg":"${SUCCESS}","data":${data.text}}` : `{"code":200,"msg":"${SUCCESS}"}`);
}

/** The error envelope: no requestId, developId or data; `msg` already capped by the caller. */
export function writePandaponError(code: number, msg: string): WireText {
  return toWireText(JSON.stringify({ requestId: null, code, developId: null, msg, data: null }));
}
