import type { IncomingMessage, ServerResponse } from "node:http";
import type { ConnectionFault } from "../exchange.js";

/**
 * Does a connection fault to the request's socket instead of answering (what a client sees, with
 * undici/fetch: see the README's "Testing your integration"):
 * - connection-reset: a TCP reset (ECONNRESET);
 * - empty-response: the connection closed before any byte of an answer ("other side closed");
 * - malformed-chunked: a 200 head with `Transfer-Encoding: chunked`, then a chunk size that is not
 *   hexadecimal, then close (a parse error);
 * - random-bytes: seeded bytes that are not HTTP, then close (a parse error);
 * - no-answer: nothing until the client gives up, or `holdMs` passes (then the connection is closed).
 */
export function sendFault(req: IncomingMessage, res: ServerResponse, fault: ConnectionFault): void {
  const socket = req.socket;
  // Whatever happens, the server must not also answer on this response.
  res.on("error", () => undefined);
  switch (fault.kind) {
    case "connection-reset":
      socket.resetAndDestroy();
      return;
    case "empty-response":
      socket.destroy();
      return;
    case "malformed-chunked":
      socket.end("HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n{\"code\":200,\"msg\":\"成功\"\r\nzz-not-a-size\r\n");
      socket.destroySoon();
      return;
    case "random-bytes":
      socket.end(fault.bytes);
      return;
    case "no-answer": {
      const timer = setTimeout(() => socket.destroy(), fault.holdMs);
      socket.once("close", () => clearTimeout(timer));
      return;
    }
  }
}
