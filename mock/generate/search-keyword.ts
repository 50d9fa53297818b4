// What a search looks for: a request's keyword, in wire text (protocol/wire-text.ts).
import { readPath } from "./read-path.js";

/** Keywords longer than this (in characters) find nothing: no row, no made-up title (see `searchTotal`). */
export const MAX_KEYWORD_CHARACTERS = 64;

/** ASCII letters to lower case only: wire text holds UTF-8 bytes as characters, which must stay as they are. */
export function toLowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The characters of a wire text (its UTF-8 bytes that start a character). */
function countCharacters(wire: string): number {
  let n = 0;
  for (let i = 0; i < wire.length; i++) if ((wire.charCodeAt(i) & 0xc0) !== 0x80) n += 1;
  return n;
}

/** The keyword a request searches for (wire text): undefined without one, or when it is longer than the mock searches for. */
export function readKeyword(request: unknown, path: string): string | undefined {
  const value = readPath(request, path);
  const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "bigint" ? String(value) : "";
  return text === "" || countCharacters(text) > MAX_KEYWORD_CHARACTERS ? undefined : text;
}

/** Whether a request searches for a keyword longer than the mock finds results for (MAX_KEYWORD_CHARACTERS). */
export function isUnsearchable(request: unknown, path: string): boolean {
  const value = readPath(request, path);
  return typeof value === "string" && countCharacters(value) > MAX_KEYWORD_CHARACTERS;
}
