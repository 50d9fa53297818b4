import { LosslessNumber, isLosslessNumber } from "lossless-json";
import { MASK, toEchoPattern } from "../../checks/mask-secrets.js";

/** What a recording holds in place of a masked value (the same mask as every report's). */
export const RECORDING_MASK = MASK;

/**
 * Members whose values a recording never keeps: credentials and signatures (in case a client puts
 * them in a payload), the caller's user and developer ids, phone numbers.
 */
const MASKED_NAME = /(?:phone|mobile|^tel$|telephone|user_?id$|develop_?id$|access_?key|secret|^sign$|signature|session|token|password|app_?key)/i;

/**
 * A mainland mobile number standing alone (not a run of digits inside a longer id): 11 digits from
 * 13–19, written whole or as 3-4-4 with spaces or hyphens, with or without the country code
 * (`86`, `+86`, `0086`, then an optional space or hyphen) — wherever it is, under any name.
 */
const MOBILE_NUMBER = /(?<![\d+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![\d])/g;

/**
 * A masked number: as many digits, a 1 and zeros (a number stays a number of the same size, so a
 * masked answer still fits its schema); a mobile number in text is masked the same way.
 */
function toMaskedDigits(digits: string): string {
  return `1${"0".repeat(Math.max(0, digits.replace(/\D/g, "").length - 1))}`;
}

export function isMaskedName(name: string): boolean {
  return MASKED_NAME.test(name);
}

/** A parsed payload with masked members' values and mobile numbers inside any text replaced by the mask. */
export function maskRecordedValue(value: unknown): unknown {
  if (typeof value === "string") return value.replace(MOBILE_NUMBER, toMaskedDigits);
  if (Array.isArray(value)) return value.map(maskRecordedValue);
  if (typeof value === "object" && value !== null && !isLosslessNumber(value) && typeof value !== "bigint") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const isLeaf = member !== null && (typeof member !== "object" || isLosslessNumber(member));
      const masked = !isLeaf || !isMaskedName(key) ? maskRecordedValue(member) : isLosslessNumber(member) ? new LosslessNumber(toMaskedDigits(member.value)) : typeof member === "number" ? Number(toMaskedDigits(String(member))) : RECORDING_MASK;
      Object.defineProperty(out, key, { value: masked, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** `"name": value` in JSON (a string or a number) and `<name>value</name>` in XML, for masked names. */
const JSON_MEMBER = /"([A-Za-z_][\w-]*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g;
const XML_ELEMENT = /<([A-Za-z_][\w-]*)>([^<]*)<\/\1>/g;

/**
 * An answer's text with masked members' values (text `******`, numbers a 1 and zeros), mobile
 * numbers (as digits: a 1 and zeros) and the given secret values (as sent in the request's headers
 * and system parameters, wherever and however they are echoed: see toEchoPattern) replaced by the
 * mask; everything else as it came, byte for byte.
 */
export function maskRecordedText(text: string, secrets: readonly (string | undefined)[] = []): string {
  const out = text
    .replace(JSON_MEMBER, (all, name: string, colon: string, value: string) => (!isMaskedName(name) ? all : value.startsWith('"') ? `"${name}"${colon}"${RECORDING_MASK}"` : `"${name}"${colon}${toMaskedDigits(value)}`))
    .replace(XML_ELEMENT, (all, name: string, value: string) => (!isMaskedName(name) ? all : /^-?\d+$/.test(value) ? `<${name}>${toMaskedDigits(value)}</${name}>` : `<${name}>${RECORDING_MASK}</${name}>`))
    .replace(MOBILE_NUMBER, toMaskedDigits);
  const echoed = toEchoPattern(secrets);
  // A credential of digits alone (a user id, a TOP app_key) may be echoed as a JSON number: masked as digits, the JSON stays JSON.
  return echoed ? out.replace(echoed, (found) => (/^\d+$/.test(found) ? toMaskedDigits(found) : RECORDING_MASK)) : out;
}

