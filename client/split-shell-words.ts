export type ShellWords = { ok: true; words: string[] } | { ok: false; message: string };

const ANSI_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", v: "\v", "\\": "\\", "'": "'", '"': '"', "?": "?" };

/**
 * Reads one `$'…'` escape at `i` (just after the backslash); returns the text and the next index,
 * or a problem: `\U` beyond U+10FFFF names no character (bash writes bytes that are no UTF-8).
 */
function readAnsiEscape(text: string, i: number): [string, number] | { problem: string } {
  const c = text[i] ?? "";
  if (Object.hasOwn(ANSI_ESCAPES, c)) return [ANSI_ESCAPES[c]!, i + 1];
  const hex = c === "x" ? /^[0-9a-fA-F]{1,2}/ : c === "u" ? /^[0-9a-fA-F]{1,4}/ : c === "U" ? /^[0-9a-fA-F]{1,8}/ : undefined;
  if (hex) {
    const m = hex.exec(text.slice(i + 1));
    if (m) {
      const code = parseInt(m[0], 16);
      if (code > 0x10ffff) return { problem: `the $'…' escape \\${c}${m[0]} is beyond Unicode (U+10FFFF)` };
      return [String.fromCodePoint(code), i + 1 + m[0].length];
    }
  }
  const octal = /^[0-7]{1,3}/.exec(text.slice(i));
  if (octal) return [String.fromCharCode(parseInt(octal[0], 8)), i + octal[0].length];
  return ["\\" + c, i + 1];
}

/**
 * Splits a POSIX shell command line into words the way bash would, without expanding anything:
 * '…' (literal), "…" (with \" \\ \$ \` escapes), $'…' (ANSI-C escapes), backslash escapes and
 * backslash-newline continuations. Enough for the curl commands browsers and API tools copy.
 */
export function splitShellWords(text: string): ShellWords {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\\") {
      const next = text[i + 1];
      if (next === "\n") i += 2;
      else if (next === "\r" && text[i + 2] === "\n") i += 3;
      else {
        word += next ?? "";
        inWord = true;
        i += 2;
      }
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i += 1;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { ok: false, message: "a single quote is not closed" };
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === "$" && text[i + 1] === "'") {
      i += 2;
      for (;;) {
        if (i >= text.length) return { ok: false, message: "a $'…' quote is not closed" };
        const d = text[i]!;
        if (d === "'") break;
        if (d === "\\") {
          const escape = readAnsiEscape(text, i + 1);
          if (!Array.isArray(escape)) return { ok: false, message: escape.problem };
          const [s, nextIndex] = escape;
          word += s;
          i = nextIndex;
        } else {
          word += d;
          i += 1;
        }
      }
      inWord = true;
      i += 1;
    } else if (c === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) return { ok: false, message: "a double quote is not closed" };
        const d = text[i]!;
        if (d === '"') break;
        if (d === "\\" && '"\\$`\n'.includes(text[i + 1] ?? "")) {
          if (text[i + 1] !== "\n") word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i += 1;
        }
      }
      inWord = true;
      i += 1;
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}
