import { toWireText } from "../../protocol/wire-text.js";
import type { GenerationContext } from "./value-generators.js";

/** Fills a pattern for one answer (compiled once per pattern). */
export type PatternFill = (ctx: GenerationContext) => string;

const compiledPatterns = new Map<string, PatternFill>();
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** N digits, the first not 0: a uniform number of N digits, written 9 digits per random draw. */
function toDigitsFill(count: number): PatternFill {
  if (count <= 0) return () => "";
  const first = Math.min(count, 9);
  const lowest = 10 ** (first - 1);
  const span = 9 * lowest;
  let fill: PatternFill = (ctx) => String(lowest + Math.floor(ctx.random() * span));
  for (let left = count - first; left > 0; left -= 9) {
    const base = 10 ** Math.min(left, 9);
    const before = fill;
    // base + n has one digit more than n needs: the leading 1 is cut, keeping n's leading zeros.
    fill = (ctx) => before(ctx) + String(base + Math.floor(ctx.random() * base)).slice(1);
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
  return (ctx) => String(lo + Math.floor(ctx.random() * span));
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
        return before * 10 ** String(n).length + n;
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
