import type { Socket } from "node:net";
import { connect } from "node:net";

/** One HTTP answer as it came on the wire: status, headers in order (names as sent), the body without its framing, and whether it was whole. */
export interface RawAnswer {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** False when the connection ended before the answer did (a body cut short, a chunk missing). */
  complete: boolean;
  /** Statuses of the informational (1xx) answers before it. */
  informational: number[];
}

/** The value of a header (the first, by name in any case). */
export function headerOf(answer: Pick<RawAnswer, "headers">, name: string): string | undefined {
  return answer.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

const HEAD_END = Buffer.from("\r\n\r\n");

type Parsed = { answer: RawAnswer; used: number } | undefined;

/**
 * Reads one answer (after any 1xx) from the start of `bytes`; undefined while it is not whole and
 * the connection is open. `ended`: nothing more will come (an answer without length ends here; one
 * cut short comes back with complete false; nothing at all, status 0).
 */
export function parseRawAnswer(bytes: Buffer, method: string, ended: boolean): Parsed {
  const informational: number[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf(HEAD_END, at);
    if (headEnd < 0) return ended ? { answer: { status: 0, reason: "", headers: [], body: Buffer.alloc(0), complete: false, informational }, used: bytes.length } : undefined;
    const lines = bytes.subarray(at, headEnd).toString("latin1").split("\r\n");
    const statusLine = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (!statusLine) throw new Error(`not an HTTP answer: ${JSON.stringify(lines[0]!.slice(0, 200))}`);
    const status = Number(statusLine[1]);
    const headers = lines.slice(1).map((line): [string, string] => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    at = headEnd + 4;
    if (status >= 100 && status < 200 && status !== 101) {
      informational.push(status);
      continue;
    }
    const answer = (body: Buffer, complete: boolean): RawAnswer => ({ status, reason: statusLine[2] ?? "", headers, body, complete, informational });
    const value = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
    if (method === "HEAD" || status === 204 || status === 304 || status === 101) return { answer: answer(Buffer.alloc(0), true), used: at };
    if (/chunked/i.test(value("transfer-encoding") ?? "")) {
      const chunks: Buffer[] = [];
      let pos = at;
      for (;;) {
        const lineEnd = bytes.indexOf("\r\n", pos);
        if (lineEnd < 0) return ended ? { answer: answer(Buffer.concat(chunks), false), used: bytes.length } : undefined;
        const size = parseInt(bytes.subarray(pos, lineEnd).toString("latin1").split(";")[0]!, 16);
        if (size === 0) {
          // Trailers (none expected), then the empty line.
          const end = bytes.indexOf("\r\n", lineEnd + 2);
          if (end < 0) return ended ? { answer: answer(Buffer.concat(chunks), false), used: bytes.length } : undefined;
          if (end === lineEnd + 2) return { answer: answer(Buffer.concat(chunks), true), used: end + 2 };
          const trailersEnd = bytes.indexOf(HEAD_END, lineEnd + 2);
          if (trailersEnd < 0) return ended ? { answer: answer(Buffer.concat(chunks), false), used: bytes.length } : undefined;
          return { answer: answer(Buffer.concat(chunks), true), used: trailersEnd + 4 };
        }
        if (bytes.length < lineEnd + 2 + size + 2) {
          if (!ended) return undefined;
          chunks.push(bytes.subarray(lineEnd + 2, Math.min(bytes.length, lineEnd + 2 + size)));
          return { answer: answer(Buffer.concat(chunks), false), used: bytes.length };
        }
        chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
        pos = lineEnd + 2 + size + 2;
      }
    }
    const length = value("content-length");
    if (length !== undefined) {
      const n = Number(length);
      if (bytes.length - at >= n) return { answer: answer(bytes.subarray(at, at + n), true), used: at + n };
      return ended ? { answer: answer(bytes.subarray(at), false), used: bytes.length } : undefined;
    }
    // Delimited by the end of the connection.
    return ended ? { answer: answer(bytes.subarray(at), true), used: bytes.length } : undefined;
  }
}

/** A client connection that sends raw bytes and reads the answers: what no HTTP client library would send. */
export interface RawConnection {
  /** Writes `bytes` (a request as it should go on the wire), then reads one answer to a request of `method`; `end`: half-closes after writing. */
  exchange(bytes: Buffer, method: string, options?: { end?: boolean; timeoutMs?: number }): Promise<RawAnswer>;
  /** Writes `bytes` without waiting for anything. */
  send(bytes: Buffer): void;
  /** Whether the server has closed the connection (or it failed). */
  readonly closed: boolean;
  close(): void;
}

export function openRawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname);
    let buffered = Buffer.alloc(0);
    let ended = false;
    let wake: (() => void) | undefined;
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      wake?.();
    });
    const onEnd = () => {
      ended = true;
      wake?.();
    };
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onEnd);
    socket.once("connect", () => {
      socket.setNoDelay(true);
      resolve({
        exchange: (bytes, method, options = {}) =>
          new Promise((done, fail) => {
            const timer = setTimeout(() => {
              wake = undefined;
              fail(new Error(`no whole answer within ${options.timeoutMs ?? 10_000} ms (${buffered.length} bytes so far: ${JSON.stringify(buffered.toString("latin1").slice(0, 300))})`));
            }, options.timeoutMs ?? 10_000);
            const tryRead = () => {
              let parsed: Parsed;
              try {
                parsed = parseRawAnswer(buffered, method, ended);
              } catch (error) {
                clearTimeout(timer);
                wake = undefined;
                return fail(error);
              }
              if (!parsed) return;
              clearTimeout(timer);
              wake = undefined;
              buffered = buffered.subarray(parsed.used);
              done(parsed.answer);
            };
            wake = tryRead;
            if (!ended) socket.write(bytes);
            if (options.end) socket.end();
            tryRead();
          }),
        send: (bytes) => void socket.write(bytes),
        get closed() {
          return ended;
        },
        close: () => socket.destroy(),
      });
    });
    socket.once("error", reject);
  });
}

/** A request as raw bytes: the request line, each header as given (repeats, order, any case), then the body as it is. */
export function toRawRequest(method: string, target: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer = Buffer.alloc(0), version = "1.1"): Buffer {
  const head = `${method} ${target} HTTP/${version}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** A body in chunked transfer coding, in pieces of `size` bytes. */
export function toChunked(body: Buffer, size = 4096): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}
