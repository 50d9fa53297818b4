import { intBetween } from "./random-picks.js";
import type { GenerationContext } from "./value-generators.js";

type PatternPart = string | ((ctx: GenerationContext) => string);
const compiledPatterns = new Map<string, PatternPart[]>();

function toDigits(ctx: GenerationContext, count: number): string {
  let out = String(1 + Math.floor(ctx.random() * 9));
  while (out.length < count) out += String(Math.floor(ctx.random() * 1e9)).padStart(9, "0");
  return out.slice(0, count);
}

function compilePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  const token = /\{(d|x)(\d+)\}|\{n(\d+)-(\d+)\}/g;
  let last = 0;
  for (let m = token.exec(pattern); m; m = token.exec(pattern)) {
    if (m.index > last) parts.push(pattern.slice(last, m.index));
    const [, kind, count, lo, hi] = m;
    if (kind === "d") parts.push((ctx) => toDigits(ctx, Number(count)));
    else if (kind === "x") {
      const n = Number(count);
      parts.push((ctx) => {
        let out = "";
        while (out.length < n) out += Math.floor(ctx.random() * 0x100000000).toString(16).padStart(8, "0");
        return out.slice(0, n);
      });
    } else parts.push((ctx) => String(intBetween(ctx, Number(lo), Number(hi))));
    last = m.index + m[0].length;
  }
  if (last < pattern.length) parts.push(pattern.slice(last));
  return parts;
}

/** `{dN}` N digits (first not 0), `{xN}` N hex, `{nA-B}` integer A..B; other text literal. */
export function fillPattern(ctx: GenerationContext, pattern: string): string {
  let parts = compiledPatterns.get(pattern);
  if (!parts) {
    parts = compilePattern(pattern);
    compiledPatterns.set(pattern, parts);
  }
  let out = "";
  for (const part of parts) out += typeof part === "string" ? part : part(ctx);
  return out;
}
