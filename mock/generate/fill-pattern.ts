import { toWireText } from "../../protocol/wire-text.js";
import type { GenerationContext } from "./generation-context.js";

/** Fills a pattern for one answer (compiled once per pattern). */
export type PatternFill = (ctx: GenerationContext) => string;

const compiledPatterns = new Map<string, PatternFill>();
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/**
 * "000" to "999": digits are written from this table, not by String(n). V8 keeps the text of each
 * number String() converts in a cache that outlives young garbage collections: with a fresh number
 * per id, that cache was most of what each collection had to copy (and then promote).
 */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

/** n (a whole number, 0 ≤ n < 10^width, width ≤ 9) in exactly `width` digits, zero-padded. */
export function toDigitText(n: number, width: number): string {
  const low = THREE_DIGITS[n % 1000]!;
  if (width <= 3) return width === 3 ? low : low.slice(3 - width);
  const mid = THREE_DIGITS[Math.floor(n / 1000) % 1000]!;
  if (width <= 6) return (width === 6 ? mid : mid.slice(6 - width)) + low;
  const high = THREE_DIGITS[Math.floor(n / 1_000_000)]!;
  return (width === 9 ? high : high.slice(9 - width)) + mid + low;
}

/** How many digits a whole number ≥ 0 has. */
function countDigits(n: number): number {
  let count = 1;
  for (let scale = 10; n >= scale; scale *= 10) count += 1;
  return count;
}

/** A whole number's decimal text, from the digit table up to 999,999,999 (String beyond, and for anything else). */
export function toDecimalText(n: number): string {
  return n >= 0 && n < 1e9 && Number.isInteger(n) ? toDigitText(n, countDigits(n)) : String(n);
}

/** A pattern's parts, read once for every compiler of patterns: literal text, `{dN}`, `{xN}`, `{nA-B}`. */
type PatternPart = { kind: "text"; text: string } | { kind: "digits"; count: number } | { kind: "hex"; count: number } | { kind: "range"; lo: number; hi: number };

function readPatternParts(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  const token = /\{(d|x)(\d+)\}|\{n(\d+)-(\d+)\}/g;
  let last = 0;
  for (let m = token.exec(pattern); m; m = token.exec(pattern)) {
    if (m.index > last) parts.push({ kind: "text", text: pattern.slice(last, m.index) });
    const [, kind, count, lo, hi] = m;
    parts.push(kind === "d" ? { kind: "digits", count: Number(count) } : kind === "x" ? { kind: "hex", count: Number(count) } : { kind: "range", lo: Number(lo), hi: Number(hi) });
    last = m.index + m[0].length;
  }
  if (last < pattern.length) parts.push({ kind: "text", text: pattern.slice(last) });
  return parts;
}

/**
 * Fewest and most digits a pattern of digits only writes (`{dN}` N, `{nA-B}` those of A to those
 * of B, literal digits their own); undefined for a pattern with anything else in it.
 */
export function toDigitsOnlyWidth(pattern: string): { min: number; max: number } | undefined {
  let min = 0;
  let max = 0;
  for (const part of readPatternParts(pattern)) {
    if (part.kind === "hex" || (part.kind === "text" && !/^\d+$/.test(part.text))) return undefined;
    const [a, b] = part.kind === "text" ? [part.text.length, part.text.length] : part.kind === "digits" ? [part.count, part.count] : [countDigits(part.lo), countDigits(part.hi)];
    min += a;
    max += b;
  }
  return max > 0 ? { min, max } : undefined;
}

/** How `{dN}` draws: a first group of up to 9 digits (the first not 0), then groups of up to 9, one random draw each. */
function toDigitGroups(count: number): { first: number; lowest: number; span: number; widths: number[] } {
  const first = Math.min(count, 9);
  const lowest = 10 ** (first - 1);
  const widths: number[] = [];
  for (let left = count - first; left > 0; left -= 9) widths.push(Math.min(left, 9));
  return { first, lowest, span: 9 * lowest, widths };
}

/** N digits, the first not 0: a uniform number of N digits, written 9 digits per random draw. */
function toDigitsFill(count: number): PatternFill {
  if (count <= 0) return () => "";
  const { first, lowest, span, widths } = toDigitGroups(count);
  let fill: PatternFill = (ctx) => toDigitText(lowest + Math.floor(ctx.random() * span), first);
  for (const width of widths) {
    const base = 10 ** width;
    const before = fill;
    fill = (ctx) => before(ctx) + toDigitText(Math.floor(ctx.random() * base), width);
  }
  return fill;
}

/** N hex digits, 8 per random draw. */
function toHexFill(count: number): PatternFill {
  const draws = Math.ceil(count / 8);
  return (ctx) => {
    let out = "";
    for (let i = 0; i < draws; i++) {
      const n = (ctx.random() * 0x100000000) >>> 0;
      out += HEX_BYTES[n >>> 24]! + HEX_BYTES[(n >>> 16) & 255]! + HEX_BYTES[(n >>> 8) & 255]! + HEX_BYTES[n & 255]!;
    }
    return out.length === count ? out : out.slice(0, count);
  };
}

function toIntegerFill(lo: number, hi: number): PatternFill {
  const span = hi - lo + 1;
  return (ctx) => toDecimalText(lo + Math.floor(ctx.random() * span));
}

/** Appends the digits one part of a digits-only pattern writes to the number written so far. */
type DigitsStep = (ctx: GenerationContext, before: number) => number;

/** `{dN}` as a number: the same draws and digits as toDigitsFill, appended by arithmetic. */
function toDigitsStep(count: number): DigitsStep {
  if (count <= 0) return (_ctx, before) => before;
  const { first, lowest, span, widths } = toDigitGroups(count);
  const scale = 10 ** first;
  const bases = widths.map((width) => 10 ** width);
  return (ctx, before) => {
    let n = before * scale + lowest + Math.floor(ctx.random() * span);
    for (const base of bases) n = n * base + Math.floor(ctx.random() * base);
    return n;
  };
}

/**
 * The integer a digits-only pattern (toDigitsOnlyWidth) of at most 15 digits writes, drawn exactly
 * as compilePattern draws it, without making its text (integer ids of the answers).
 */
export function compileDigitsNumber(pattern: string): (ctx: GenerationContext) => number {
  const steps = readPatternParts(pattern).map((part): DigitsStep => {
    switch (part.kind) {
      case "text": {
        const scale = 10 ** part.text.length;
        const value = Number(part.text);
        return (_ctx, before) => before * scale + value;
      }
      case "digits":
        return toDigitsStep(part.count);
      case "range": {
        const span = part.hi - part.lo + 1;
        return (ctx, before) => {
          const n = part.lo + Math.floor(ctx.random() * span);
          return before * 10 ** countDigits(n) + n;
        };
      }
      case "hex":
        throw new Error(`Failed to compile "${pattern}" as a number: it has hex digits.`);
    }
  });
  // Chained like compilePattern's parts: every call site sees one function.
  return steps.reduce<(ctx: GenerationContext) => number>((before, step) => (ctx) => step(ctx, before(ctx)), () => 0);
}

/** `{dN}` N digits (first not 0), `{xN}` N hex, `{nA-B}` integer A..B; other text literal (written as wire text). */
export function compilePattern(pattern: string): PatternFill {
  let fill = compiledPatterns.get(pattern);
  if (fill) return fill;
  // One closure per part, chained: every call site sees one function.
  const fills = readPatternParts(pattern).map((part): PatternFill => {
    if (part.kind === "text") {
      const text = toWireText(part.text);
      return () => text;
    }
    return part.kind === "digits" ? toDigitsFill(part.count) : part.kind === "hex" ? toHexFill(part.count) : toIntegerFill(part.lo, part.hi);
  });
  fill = fills.length === 0 ? () => "" : fills.reduce((before, part) => (ctx) => before(ctx) + part(ctx));
  compiledPatterns.set(pattern, fill);
  return fill;
}
