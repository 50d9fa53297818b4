import { readParams } from "../exchange.js";

export type ParamReading = { ok: true; params: Map<string, string> } | { ok: false; reason: string };

/** The multipart text fields of a body (file parts are not signed and not needed here). */
function readMultipart(body: Buffer, contentType: string, into: Map<string, string>): string | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return "multipart body without a boundary";
  const delimiter = `--${boundary[1] ?? boundary[2]!.trim()}`;
  for (const part of body.toString("utf8").split(delimiter).slice(1)) {
    if (part.startsWith("--")) break;
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name || /filename=/i.test(head)) continue;
    if (!into.has(name)) into.set(name, part.slice(split + 4).replace(/\r\n$/, ""));
  }
  return undefined;
}

/**
 * TOP parameters from the query string and a form-encoded or multipart body (first value wins,
 * like the gateway's servlet). Any other body type carries no parameters.
 */
export function readTopParams(query: string, body: Buffer, contentType: string | undefined): ParamReading {
  const params = readParams(query);
  if (body.length === 0) return { ok: true, params };
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) {
    readParams(body.toString("utf8"), params);
  } else if (type.startsWith("multipart/form-data")) {
    const problem = readMultipart(body, contentType!, params);
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, params };
}
