export const MASK = "******";

/** The text with every secret (and credential) replaced by `******`; short values (< 4 chars) are left alone. */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join(MASK);
  }
  return out;
}

/** A URL without user info (`https://user:pass@host` → `https://******@host`). */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][\w+.-]*:\/\/)[^/@]*@/i, `$1${MASK}@`);
}
