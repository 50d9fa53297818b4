import type { ServerResponse } from "node:http";
import { writePandaponError } from "../mock/pandapon/write-pandapon-envelope.js";
import { writeTopError } from "../mock/top/write-top-envelope.js";
import { JSON_TYPE, XML_TYPE } from "../mock/exchange.js";

/** What the proxy answers when the upstream gave no answer: a gateway's status, the protocol's error shape. */
export interface UpstreamFailure {
  kind: "unreachable" | "timeout";
  reason: string;
}

/** Header that tells this answer from one the API sent (it never sends it). */
export const PROXY_ANSWER_HEADER = "x-pandapon-mock-proxy";

/**
 * A gateway's answer to a request whose upstream gave none: 502 (unreachable) or 504 (timeout), as
 * any HTTP gateway answers, with a body in the protocol's own error shape — PandaPon's envelope
 * (code 50201 / 50401, data null), TOP's error_response (code 15 with an isp.* sub code, in the
 * requested format) — so a client parses it like any error of the API; and a header saying the
 * proxy wrote it. Nothing is made up in the API's name: no requestId, no data.
 */
export function answerUpstreamFailure(res: ServerResponse, api: "pandapon" | "top", topFormat: "json" | "xml", failure: UpstreamFailure): void {
  const status = failure.kind === "timeout" ? 504 : 502;
  const message = `pandapon-mock proxy: the upstream ${failure.kind === "timeout" ? "did not answer in time" : "could not be reached"} (${failure.reason})`;
  const body =
    api === "top"
      ? writeTopError(topFormat, { code: 15, msg: "Remote service error", sub_code: failure.kind === "timeout" ? "isp.proxy-upstream-timeout" : "isp.proxy-upstream-unreachable", sub_msg: message })
      : writePandaponError(status * 100 + 1, message);
  res.writeHead(status, { "content-type": api === "top" && topFormat === "xml" ? XML_TYPE : JSON_TYPE, "content-length": body.length, [PROXY_ANSWER_HEADER]: `upstream-${failure.kind}` });
  res.end(body, "latin1");
}
