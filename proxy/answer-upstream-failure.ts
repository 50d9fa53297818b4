import type { ServerResponse } from "node:http";
import { writePandaponError } from "../mock/pandapon/write-pandapon-envelope.js";
import { writeTopError } from "../mock/top/write-top-envelope.js";
import { JSON_TYPE, XML_TYPE } from "../mock/exchange.js";

/** What the proxy answers when the upstream gave no answer (or, `busy`, when the request was not forwarded: too many wait for the checks under --check-all). */
export interface UpstreamFailure {
  kind: "unreachable" | "timeout" | "busy";
  reason: string;
}

/** Header that tells this answer from one the API sent (it never sends it). */
export const PROXY_ANSWER_HEADER = "x-pandapon-mock-proxy";

/** Each failure's status, what the message says, and TOP's sub code. */
const FAILURES: Record<UpstreamFailure["kind"], { status: number; says: string; subCode: string }> = {
  unreachable: { status: 502, says: "the upstream could not be reached", subCode: "isp.proxy-upstream-unreachable" },
  timeout: { status: 504, says: "the upstream did not answer in time", subCode: "isp.proxy-upstream-timeout" },
  busy: { status: 503, says: "the request was not forwarded", subCode: "isp.proxy-busy" },
};

/**
 * A gateway's answer to a request whose upstream gave none: 502 (unreachable) or 504 (timeout), as
 * any HTTP gateway answers — or 503 (busy) for a request the proxy did not forward — with a body in
 * the protocol's own error shape — PandaPon's envelope (code 50201 / 50401 / 50301, data null),
 * TOP's error_response (code 15 with an isp.* sub code, in the requested format) — so a client
 * parses it like any error of the API; and a header saying the proxy wrote it. Nothing is made up
 * in the API's name: no requestId, no data.
 */
export function answerUpstreamFailure(res: ServerResponse, api: "pandapon" | "top", topFormat: "json" | "xml", failure: UpstreamFailure): void {
  const { status, says, subCode } = FAILURES[failure.kind];
  const message = `pandapon-mock proxy: ${says} (${failure.reason})`;
  const body = api === "top" ? writeTopError(topFormat, { code: 15, msg: "Remote service error", sub_code: subCode, sub_msg: message }) : writePandaponError(status * 100 + 1, message);
  res.writeHead(status, { "content-type": api === "top" && topFormat === "xml" ? XML_TYPE : JSON_TYPE, "content-length": body.length, [PROXY_ANSWER_HEADER]: failure.kind === "busy" ? "busy" : `upstream-${failure.kind}` });
  res.end(body, "latin1");
}
