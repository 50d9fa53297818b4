import { readParams } from "../exchange.js";

export type ParamReading = { ok: true; params: Map<string, string> } | { ok: false; reason: string };

/**
 * Every text field of a multipart body, in order, repeats kept (file parts are not signed and not
 * needed here); undefined when the content type names no boundary.
 */
export function readMultipartFields(body: Buffer, contentType: string): Array<[string, string]> | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return undefined;
  const delimiter = `--${boundary[1] ?? boundary[2]!.trim()}`;
  const fields: Array<[string, string]> = [];
  for (const part of body.toString("utf8").split(delimiter).slice(1)) {
    if (part.startsWith("--")) break;
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name || /filename=/i.test(head)) continue;
    fields.push([name, part.slice(split + 4).replace(/\r\n$/, "")]);
  }
  return fields;
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
    const fields = readMultipartFields(body, contentType!);
    if (!fields) return { ok: false, reason: "multipart body without a boundary" };
    for (const [name, value] of fields) if (!params.has(name)) params.set(name, value);
  }
  return { ok: true, params };
}
