import { toWireText } from "../../protocol/wire-text.js";
import type { GenerationContext } from "./value-generators.js";

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
function toDigitCount(n: number): number {
  let count = 1;
  for (let scale = 10; n >= scale; scale *= 10) count += 1;
  return count;
}

/** A whole number's decimal text, from the digit table up to 999,999,999 (String beyond, and for anything else). */
export function toDecimalText(n: number): string {
  return n >= 0 && n < 1e9 && Number.isInteger(n) ? toDigitText(n, toDigitCount(n)) : String(n);
}

/** N digits, the first not 0: a uniform number of N digits, written 9 digits per random draw. */
function toDigitsFill(count: number): PatternFill {
  if (count <= 0) return () => "";
  const first = Math.min(count, 9);
  const lowest = 10 ** (first - 1);
  const span = 9 * lowest;
  let fill: PatternFill = (ctx) => toDigitText(lowest + Math.floor(ctx.random() * span), first);
  for (let left = count - first; left > 0; left -= 9) {
    const width = Math.min(left, 9);
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
  const first = Math.min(count, 9);
  const lowest = 10 ** (first - 1);
  const span = 9 * lowest;
  const scale = 10 ** first;
  const bases: number[] = [];
  for (let left = count - first; left > 0; left -= 9) bases.push(10 ** Math.min(left, 9));
  return (ctx, before) => {
    let n = before * scale + lowest + Math.floor(ctx.random() * span);
    for (const base of bases) n = n * base + Math.floor(ctx.random() * base);
    return n;
  };
}

/**
 * The integer a digits-only pattern (`{dN}`, `{nA-B}`, literal digits) of at most 15 digits writes,
 * drawn exactly as compilePattern draws it, without making its text (integer ids of the answers).
 */
export function compileDigitsNumber(pattern: string): (ctx: GenerationContext) => number {
  const steps: DigitsStep[] = [];
  for (const [, count, lo, hi, literal] of pattern.matchAll(/\{d(\d+)\}|\{n(\d+)-(\d+)\}|(\d+)/g)) {
    if (literal !== undefined) {
      const scale = 10 ** literal.length;
      const value = Number(literal);
      steps.push((_ctx, before) => before * scale + value);
    } else if (count !== undefined) {
      steps.push(toDigitsStep(Number(count)));
    } else {
      const low = Number(lo);
      const span = Number(hi) - low + 1;
      steps.push((ctx, before) => {
        const n = low + Math.floor(ctx.random() * span);
        return before * 10 ** toDigitCount(n) + n;
      });
    }
  }
  // Chained like compilePattern's parts: every call site sees one function.
  const number = steps.reduce<(ctx: GenerationContext) => number>((before, step) => (ctx) => step(ctx, before(ctx)), () => 0);
  return number;
}

/** `{dN}` N digits (first not 0), `{xN}` N hex, `{nA-B}` integer A..B; other text literal (written as wire text). */
export function compilePattern(pattern: string): PatternFill {
  let fill = compiledPatterns.get(pattern);
  if (fill) return fill;
  const parts: (string | PatternFill)[] = [];
  const token = /\{(d|x)(\d+)\}|\{n(\d+)-(\d+)\}/g;
  let last = 0;
  for (let m = token.exec(pattern); m; m = token.exec(pattern)) {
    if (m.index > last) parts.push(toWireText(pattern.slice(last, m.index)));
    const [, kind, count, lo, hi] = m;
    parts.push(kind === "d" ? toDigitsFill(Number(count)) : kind === "x" ? toHexFill(Number(count)) : toIntegerFill(Number(lo), Number(hi)));
    last = m.index + m[0].length;
  }
  if (last < pattern.length) parts.push(toWireText(pattern.slice(last)));
  // One closure per part, chained: every call site sees one function.
  const fills = parts.map((part): PatternFill => (typeof part === "string" ? () => part : part));
  fill = fills.length === 0 ? () => "" : fills.reduce((before, part) => (ctx) => before(ctx) + part(ctx));
  compiledPatterns.set(pattern, fill);
  return fill;
}
