/**
 * Wire text: text held as the bytes it goes out as, one char per byte of its UTF-8 (a one-byte,
 * "latin1" string). The mock generates, serializes and caches answers in this form: V8 keeps them
 * one byte per char where Chinese text would make the whole answer two bytes per char, so
 * JSON.stringify stays on its one-byte path, the length is the Content-Length, and the socket
 * copies the text out (latin1) instead of encoding it. JSON.stringify writes wire text correctly:
 * UTF-8 bytes are all ≥ 0x80, which it never escapes.
 */
declare const wireBrand: unique symbol;
export type WireText = string & { readonly [wireBrand]: true };

const NON_ASCII = /[^\x00-\x7f]/;

const encode = (text: string): string => Buffer.from(text, "utf8").toString("latin1");
const decode = (text: string): string => Buffer.from(text, "latin1").toString("utf8");

/** Text (any Unicode) as wire text; ASCII is both already. */
export function toWireText(text: string): WireText {
  return (NON_ASCII.test(text) ? encode(text) : text) as WireText;
}

/** Wire text back to the text it holds. */
export function fromWireText(text: string): string {
  return NON_ASCII.test(text) ? decode(text) : text;
}

/** Text built only of wire text and ASCII (an envelope around wire data), declared as wire text. */
export function asWireText(text: string): WireText {
  return text as WireText;
}

/** A JSON-like value with every non-ASCII string and key converted (encode or decode); copied only where something changes. */
function mapStrings(value: unknown, convert: (text: string) => string): unknown {
  if (typeof value === "string") return NON_ASCII.test(value) ? convert(value) : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const mapped = mapStrings(v, convert);
      if (mapped !== v) out ??= value.slice();
      if (out) out[i] = mapped;
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = obj[key];
    const mapped = mapStrings(v, convert);
    const mappedKey = NON_ASCII.test(key) ? convert(key) : key;
    if (!out && (mapped !== v || mappedKey !== key)) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j]!, obj[keys[j]!]);
    }
    if (out) setOwn(out, mappedKey, mapped);
  }
  return out ?? value;
}

/** Sets a member, `__proto__` included (as data, never as the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A JSON-like value (a request, a table, a schema constant) with its strings as wire text; shared, not copied, where all is ASCII. */
export function toWireValue<T>(value: T): T {
  return mapStrings(value, encode) as T;
}

/** A generated value with its wire strings back as text (for callers that want data, not bytes). */
export function fromWireValue<T>(value: T): T {
  return mapStrings(value, decode) as T;
}
