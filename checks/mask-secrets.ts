import type { ApiError } from "./find-api-error.js";

export const MASK = "******";

/**
 * The credential values as a text may repeat them: as sent, JSON-escaped (`/` as `\/` too) or
 * URL-encoded, in any letter case (a hex signature echoed in lower case); values of digits alone only
 * as a whole number (not inside a longer one). Values under 4 characters are not masked. Undefined
 * when there is nothing to mask.
 */
export function toEchoPattern(secrets: readonly (string | undefined)[]): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    const quoted = JSON.stringify(secret).slice(1, -1);
    for (const form of [secret, quoted, quoted.replace(/\//g, "\\/"), encodeURIComponent(secret)]) {
      const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      forms.add(/^\d+$/.test(form) ? `(?<!\\d)${escaped}(?!\\d)` : escaped);
    }
  }
  if (forms.size === 0) return undefined;
  // Longer first, so that no part of one is left.
  return new RegExp([...forms].sort((a, b) => b.length - a.length).join("|"), "gi");
}

/**
 * A masker of texts about one request (messages, journals, reports): every credential value replaced
 * by `******` wherever and however the text repeats it (toEchoPattern), its pattern built once for
 * every text it masks.
 */
export function toSecretMask(secrets: readonly (string | undefined)[]): (text: string) => string {
  const echoed = toEchoPattern(secrets);
  return echoed ? (text) => text.replace(echoed, MASK) : (text) => text;
}

/** The text with every secret (and credential) replaced by `******`, however it repeats them (see toSecretMask). */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return toSecretMask(secrets)(text);
}

/** An API error with each of its texts masked: a TOP sub_msg may repeat what was signed (an app_key, a session). */
export function toMaskedApiError(error: ApiError, mask: (text: string) => string): ApiError {
  const { code, msg, subCode, subMsg } = error;
  return { ...error, code: mask(code), msg: mask(msg), ...(subCode === undefined ? {} : { subCode: mask(subCode) }), ...(subMsg === undefined ? {} : { subMsg: mask(subMsg) }) };
}

/** A URL without user info (`https://user:pass@host` → `https://******@host`). */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][\w+.-]*:\/\/)[^/@]*@/i, `$1${MASK}@`);
}
