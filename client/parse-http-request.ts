import type { ParsedRequest } from "./parse-curl.js";

/**
 * Reads a raw HTTP/1.x request as logged or copied from a proxy: request line, headers, an empty
 * line, then the body. With `Content-Length` the body is exactly that many bytes; without it, the
 * rest of the text less one final newline (which editors add to files).
 */
export function parseHttpRequest(text: string): ParsedRequest {
  const normalised = text.replace(/^\s+/, "");
  const headEnd = /\r?\n\r?\n/.exec(normalised);
  const head = headEnd ? normalised.slice(0, headEnd.index) : normalised.replace(/\r?\n$/, "");
  const rest = headEnd ? normalised.slice(headEnd.index + headEnd[0].length) : "";
  const [requestLine = "", ...lines] = head.split(/\r?\n/);
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine.trim());
  if (!m) return { ok: false, message: `Failed to read the HTTP request: the first line "${requestLine.slice(0, 60)}" is not "METHOD /path HTTP/1.1".` };
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { ok: false, message: `Failed to read the HTTP request: the header line "${line.slice(0, 60)}" has no "Name: value".` };
    // Defined, not assigned: a header named __proto__ is a header like any other (an assignment would be dropped).
    Object.defineProperty(headers, line.slice(0, colon).trim().toLowerCase(), { value: line.slice(colon + 1).trim(), enumerable: true, writable: true, configurable: true });
  }
  let body: string | undefined = rest;
  const length = headers["content-length"];
  if (length !== undefined && /^\d+$/.test(length)) {
    body = Buffer.from(rest, "utf8").subarray(0, Number(length)).toString("utf8");
  } else {
    body = rest.replace(/\r?\n$/, "");
  }
  const request = { method: m[1]!, url: m[2]!, headers };
  return { ok: true, request: body === "" ? request : { ...request, body } };
}
