import { isLosslessNumber } from "lossless-json";

export const RECORDING_MASK = "******";

/**
 * Members whose values a recording never keeps: credentials and signatures (in case a client puts
 * them in a payload), the caller's user and developer ids, phone numbers.
 */
const MASKED_NAME = /(?:phone|mobile|^tel$|telephone|user_?id$|develop_?id$|access_?key|secret|^sign$|signature|session|token|password|app_?key)/i;

/** A mainland mobile number standing alone (not a run of digits inside a longer id). */
const MOBILE_NUMBER = /(?<![\d])1[3-9]\d{9}(?![\d])/g;

export function isMaskedName(name: string): boolean {
  return MASKED_NAME.test(name);
}

/** A parsed payload with masked members' values and mobile numbers inside any text replaced by the mask. */
export function maskRecordedValue(value: unknown): unknown {
  if (typeof value === "string") return value.replace(MOBILE_NUMBER, RECORDING_MASK);
  if (Array.isArray(value)) return value.map(maskRecordedValue);
  if (typeof value === "object" && value !== null && !isLosslessNumber(value) && typeof value !== "bigint") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const isLeaf = member !== null && (typeof member !== "object" || isLosslessNumber(member));
      const masked = isLeaf && isMaskedName(key) ? RECORDING_MASK : maskRecordedValue(member);
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
 * An answer's text with masked members' values, mobile numbers and the given secret values (as
 * sent in the request's headers and system parameters) replaced by the mask; everything else as it
 * came, byte for byte.
 */
export function maskRecordedText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text
    .replace(JSON_MEMBER, (all, name: string, colon: string) => (isMaskedName(name) ? `"${name}"${colon}"${RECORDING_MASK}"` : all))
    .replace(XML_ELEMENT, (all, name: string) => (isMaskedName(name) ? `<${name}>${RECORDING_MASK}</${name}>` : all))
    .replace(MOBILE_NUMBER, RECORDING_MASK);
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join(RECORDING_MASK);
  return out;
}
