import type { SignatureScheme } from "../signing/pandapon-scheme.js";
import { toScheme } from "../signing/pandapon-scheme.js";
import type { CommandIo } from "./command-io.js";
import { InputError } from "./command-io.js";
import { parseJsonOption } from "./parse-json-option.js";
import { readTextOption } from "./read-text-option.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `--scheme` of sign, verify and serve: JSON text or a file (`@file` or its name) holding the scheme
 * itself or `{"signatureScheme": {…}}` as identify-signature prints it; fields not given are the
 * default scheme's.
 */
export function readSchemeOption(value: string, io: CommandIo): SignatureScheme {
  const parsed = parseJsonOption(readTextOption(value, io), "--scheme");
  const scheme = isObject(parsed) && "signatureScheme" in parsed ? parsed.signatureScheme : parsed;
  if (!isObject(scheme)) throw new InputError('Failed to read --scheme: it must be a JSON object, the scheme or {"signatureScheme": {…}}.');
  try {
    return toScheme(scheme as Partial<SignatureScheme>);
  } catch (error) {
    throw new InputError((error as Error).message, { cause: error });
  }
}

/** `--scheme`'s help, the same in every command that takes it. */
export const SCHEME_OPTION_HELP = 'PandaPon signature scheme: JSON text or a file, the scheme or {"signatureScheme": {…}} as identify-signature prints it';
