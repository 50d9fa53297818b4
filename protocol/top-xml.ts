const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF): written as U+FFFD. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(FORBIDDEN, "\uFFFD");
}

function toElement(name: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((item) => toElement(name, item)).join("");
  if (typeof value === "object") {
    let inner = "";
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) inner += toElement(key, child);
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * TOP's XML form of a response: the same tree as the JSON form, arrays as repeated elements named
 * by their member (lists are already wrapped by element type in the wire shape).
 */
export function toTopXml(rootKey: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8" ?>${toElement(rootKey, value)}`;
}
