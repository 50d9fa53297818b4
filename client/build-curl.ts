export interface CurlRequest {
  method: string;
  url: string;
  /** Sent in this order; names as given. */
  headers: Readonly<Record<string, string>>;
  /** Sent byte for byte with `--data-raw`. */
  body?: string;
}

/** Quotes one word for a POSIX shell: `'…'`, with `'` written as `'\''`. */
export function quoteShellWord(word: string): string {
  if (/^[A-Za-z0-9_\-.,:/@%+][A-Za-z0-9_\-.,:/=@%+]*$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A copy-paste curl command (bash/zsh), one option per line. */
export function buildCurl(request: CurlRequest): string {
  const lines = [`curl -sS -X ${quoteShellWord(request.method.toUpperCase())} ${quoteShellWord(request.url)}`];
  for (const [name, value] of Object.entries(request.headers)) {
    lines.push(`-H ${quoteShellWord(value === "" ? `${name};` : `${name}: ${value}`)}`);
  }
  if (request.body !== undefined) lines.push(`--data-raw ${quoteShellWord(request.body)}`);
  return lines.join(" \\\n  ");
}
