import type { WireText } from "./wire-text.js";
import { asWireText } from "./wire-text.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF): written as U+FFFD. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The same in wire text (protocol/wire-text.ts): controls are themselves, U+FFFE/U+FFFF their UTF-8 (no surrogates exist). */
const FORBIDDEN_WIRE = /[\x00-\x08\x0B\x0C\x0E-\x1F]|\xEF\xBF[\xBE\xBF]/g;
const REPLACEMENT_WIRE = "\xEF\xBF\xBD";

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(FORBIDDEN, "\uFFFD");
}

function escapeWireXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(FORBIDDEN_WIRE, REPLACEMENT_WIRE);
}

function toElement(name: string, value: unknown, escape: (text: string) => string): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((item) => toElement(name, item, escape)).join("");
  if (typeof value === "object") {
    let inner = "";
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) inner += toElement(key, child, escape);
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escape(String(value))}</${name}>`;
}

/** The declaration every TOP XML answer starts with. */
export const TOP_XML_PROLOG = '<?xml version="1.0" encoding="utf-8" ?>';

/**
 * TOP's XML form of a response: the same tree as the JSON form, arrays as repeated elements named
 * by their member (lists are already wrapped by element type in the wire shape).
 */
export function toTopXml(rootKey: string, value: unknown): string {
  return `${TOP_XML_PROLOG}${toElement(rootKey, value, escapeXml)}`;
}

/**
 * The members of an object (generated data, its texts wire text) as XML elements, as wire text: what
 * goes inside the root element (toTopXml of `{ ...value, more }` is the prolog, the root's start tag,
 * these elements, `more`'s and the end tag).
 */
export function toTopWireXmlMembers(value: unknown): WireText {
  let inner = "";
  if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) inner += toElement(key, child, escapeWireXml);
  }
  return asWireText(inner);
}
