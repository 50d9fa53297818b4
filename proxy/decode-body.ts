import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

const DECODERS: Record<string, (body: Buffer) => Buffer> = {
  gzip: gunzipSync,
  "x-gzip": gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/**
 * A copy of a body without its Content-Encoding, for checking only (what is forwarded stays as it
 * came); undefined when the encoding is unknown or the bytes do not decode.
 */
export function decodeBody(body: Buffer, encoding: string | undefined): Buffer | undefined {
  const name = (encoding ?? "identity").trim().toLowerCase();
  if (name === "identity" || name === "") return body;
  const decode = DECODERS[name];
  if (!decode) return undefined;
  try {
    return decode(body);
  } catch {
    return undefined;
  }
}
