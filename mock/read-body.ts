import type { IncomingMessage } from "node:http";
import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/** Why a body could not be read; each becomes the protocol's own error. */
export type BodyProblem = { kind: "too-large"; limit: number } | { kind: "unsupported-encoding"; encoding: string } | { kind: "unreadable"; reason: string };

export type BodyReading = { ok: true; body: Buffer } | { ok: false; problem: BodyProblem };

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Reads a request body up to `limit` bytes (after decoding gzip, deflate or br). Never throws:
 * an oversized, undecodable or aborted body is a problem to answer, not a fault.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyReading> {
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const declared = Number(req.headers["content-length"]);
  if (encoding === "identity" && declared > limit) return Promise.resolve({ ok: false, problem: { kind: "too-large", limit } });
  const decoder = encoding === "identity" ? undefined : DECODERS[encoding];
  if (encoding !== "identity" && !decoder) return Promise.resolve({ ok: false, problem: { kind: "unsupported-encoding", encoding: encoding.slice(0, 40) } });
  return new Promise((resolve) => {
    const decoding = decoder?.();
    const source = decoding ? req.pipe(decoding) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (reading: BodyReading) => {
      if (settled) return;
      settled = true;
      resolve(reading);
    };
    // A body refused (too large, not decodable) is still read to its end and dropped: a socket
    // closed or reused with request bytes unread resets the connection before the client reads the answer.
    const drain = () => {
      source.removeAllListeners("data");
      if (decoding) {
        req.unpipe(decoding);
        decoding.destroy();
      }
      req.resume();
    };
    source.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        settle({ ok: false, problem: { kind: "too-large", limit } });
        drain();
        return;
      }
      chunks.push(chunk);
    });
    source.on("end", () => settle({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
    source.on("error", (error: Error) => {
      settle({ ok: false, problem: { kind: "unreadable", reason: error.message.slice(0, 120) } });
      drain();
    });
    req.on("aborted", () => settle({ ok: false, problem: { kind: "unreadable", reason: "the request was aborted" } }));
  });
}
