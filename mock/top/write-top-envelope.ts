import { TOP_XML_PROLOG, toTopXml } from "../../protocol/top-xml.js";
import type { WireText } from "../../protocol/wire-text.js";
import { asWireText, toWireText } from "../../protocol/wire-text.js";
import type { AnswerFormat, EncodedAnswer } from "../generate/create-producer.js";

/**
 * The success answer: `<method>_response` around the data's members and the request_id last, in the
 * data's format. The root key and the request id are ASCII (nothing to escape in XML), so the body
 * stays wire text, as the encoded data is.
 */
export function writeTopSuccess(root: string, requestId: string, data: EncodedAnswer): WireText {
  if (data.format === "xml") return asWireText(`${TOP_XML_PROLOG}<${root}>${data.text}<request_id>${requestId}</request_id></${root}>`);
  const id = JSON.stringify(requestId);
  const text = data.text;
  const members = text === "null" || text === "{}" ? `{"request_id":${id}}` : `${text.slice(0, -1)},"request_id":${id}}`;
  return asWireText(`{"${root}":${members}}`);
}

/** The `error_response` in the requested format (its members already capped by the caller). */
export function writeTopError(format: AnswerFormat, error: Record<string, unknown>): WireText {
  return toWireText(format === "json" ? JSON.stringify({ error_response: error }) : toTopXml("error_response", error));
}
