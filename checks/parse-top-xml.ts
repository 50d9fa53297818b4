import { LosslessNumber } from "lossless-json";
import type { SchemaCursor } from "../schemas/schema-cursor.js";

/** One element of TOP's simple XML: a name, child elements and text (attributes are not used by TOP). */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

export type XmlParsed<T> = { ok: true; value: T } | { ok: false; message: string };

const NAME = /[A-Za-z_:][\w.\-:]*/y;
const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const MAX_DEPTH = 256;

function decodeEntities(text: string, at: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith("#")) {
      const code = entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      if (code > 0x10ffff) throw new SyntaxError(`invalid character reference ${whole} near offset ${at}`);
      return String.fromCodePoint(code);
    }
    const named = ENTITIES[entity];
    if (named === undefined) throw new SyntaxError(`unknown entity ${whole} near offset ${at}`);
    return named;
  });
}

function skipUntil(text: string, from: number, end: string, what: string): number {
  const i = text.indexOf(end, from);
  if (i < 0) throw new SyntaxError(`unterminated ${what} at offset ${from}`);
  return i + end.length;
}

/** Reads a start or end tag's name at `i` (just after `<` or `</`). */
function readName(text: string, i: number): string {
  NAME.lastIndex = i;
  const m = NAME.exec(text);
  if (!m) throw new SyntaxError(`element name expected at offset ${i}`);
  return m[0];
}

/** Parses XML into an element tree: elements, text, CDATA and entities; comments, PIs and attributes skipped. */
export function parseXmlTree(input: string): XmlParsed<XmlElement> {
  const text = input.replace(/^\uFEFF/, "");
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  try {
    while (i < text.length) {
      const lt = text.indexOf("<", i);
      const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
      if (chunk.length > 0) {
        const top = stack[stack.length - 1];
        if (top) top.text += decodeEntities(chunk, i);
        else if (chunk.trim() !== "") throw new SyntaxError(`text outside the root element at offset ${i}`);
      }
      if (lt < 0) break;
      i = lt;
      if (text.startsWith("<?", i)) i = skipUntil(text, i, "?>", "processing instruction");
      else if (text.startsWith("<!--", i)) i = skipUntil(text, i, "-->", "comment");
      else if (text.startsWith("<![CDATA[", i)) {
        const end = skipUntil(text, i, "]]>", "CDATA section");
        const top = stack[stack.length - 1];
        if (!top) throw new SyntaxError(`CDATA outside the root element at offset ${i}`);
        top.text += text.slice(i + 9, end - 3);
        i = end;
      } else if (text.startsWith("<!", i)) {
        throw new SyntaxError(`DOCTYPE and declarations are not supported (offset ${i})`);
      } else if (text.startsWith("</", i)) {
        const name = readName(text, i + 2);
        const close = skipUntil(text, i, ">", "end tag");
        const open = stack.pop();
        if (!open || open.name !== name) {
          throw new SyntaxError(`</${name}> at offset ${i} does not close ${open ? `<${open.name}>` : "any element"}`);
        }
        i = close;
      } else {
        const name = readName(text, i + 1);
        const close = text.indexOf(">", i);
        if (close < 0) throw new SyntaxError(`unterminated start tag <${name}> at offset ${i}`);
        const element: XmlElement = { name, children: [], text: "" };
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(element);
        else if (root) throw new SyntaxError(`a second root element <${name}> at offset ${i}`);
        else root = element;
        if (text[close - 1] !== "/") {
          if (stack.length >= MAX_DEPTH) throw new SyntaxError(`elements nested deeper than ${MAX_DEPTH} at offset ${i}`);
          stack.push(element);
        }
        i = close + 1;
      }
    }
    if (stack.length > 0) throw new SyntaxError(`<${stack[stack.length - 1]!.name}> is not closed`);
    if (!root) throw new SyntaxError("no root element");
    return { ok: true, value: root };
  } catch (error) {
    return { ok: false, message: `is not valid XML: ${(error as Error).message}` };
  }
}

export interface TopXmlOptions {
  /**
   * The schema of the whole document (an object whose member is the root element), chosen by the
   * root element's name, e.g. the operation's response for `pc_refund_detail_response` and
   * TopErrorResponse for `error_response`. Without it every leaf stays a string.
   */
  shape?: (rootName: string) => SchemaCursor | undefined;
  /** Numbers as `LosslessNumber` (exact digits, as `parseLossless` gives) instead of `number`. */
  lossless?: boolean;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function toLeaf(text: string, cursor: SchemaCursor | undefined, lossless: boolean): unknown {
  const types = cursor?.types;
  if (!types || types.size === 0 || types.has("string")) return text;
  const trimmed = text.trim();
  if ((types.has("integer") || types.has("number")) && NUMBER.test(trimmed)) {
    return lossless ? new LosslessNumber(trimmed) : Number(trimmed);
  }
  if (types.has("boolean") && (trimmed === "true" || trimmed === "false")) return trimmed === "true";
  if (trimmed === "") {
    if (types.has("object")) return {};
    if (types.has("array")) return [];
    if (types.has("null")) return null;
  }
  return text;
}

function toValue(element: XmlElement, cursor: SchemaCursor | undefined, lossless: boolean): unknown {
  if (element.children.length === 0) return toLeaf(element.text, cursor, lossless);
  const groups = new Map<string, XmlElement[]>();
  for (const child of element.children) {
    const group = groups.get(child.name);
    if (group) group.push(child);
    else groups.set(child.name, [child]);
  }
  const out: Record<string, unknown> = {};
  for (const [name, elements] of groups) {
    const child = cursor?.property(name);
    const isList = elements.length > 1 || (child !== undefined && child.types.has("array") && !child.types.has("object"));
    const value = isList
      ? elements.map((e, i) => toValue(e, child?.item(i), lossless))
      : toValue(elements[0]!, child, lossless);
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Parses a TOP XML answer into the JSON shape of the same answer: `{ <root>: {...} }`, leaves
 * converted by the schema's types (numbers, booleans), lists as arrays wherever the schema says
 * array (even with one element) or an element repeats. Values the schema does not know stay strings.
 */
export function parseTopXml(text: string, options: TopXmlOptions = {}): XmlParsed<Record<string, unknown>> {
  const tree = parseXmlTree(text);
  if (!tree.ok) return tree;
  const root = tree.value;
  const shape = options.shape?.(root.name);
  const value = toValue(root, shape?.property(root.name), options.lossless ?? false);
  return { ok: true, value: { [root.name]: value } };
}
