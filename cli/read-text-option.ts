import type { CommandIo } from "./command-io.js";
import { readInputFile } from "./command-io.js";

/**
 * An option's text: the value itself when it looks inline (JSON, unless told otherwise), else the
 * file it names (`@file` or `file`; `-` is standard input).
 */
export function readTextOption(value: string, io: CommandIo, looksInline: RegExp = /^[{[]/): string {
  if (looksInline.test(value.trim())) return value;
  return readInputFile(io, value.startsWith("@") ? value.slice(1) : value);
}
