import type { GenerationContext } from "./generation-context.js";

export function intBetween(ctx: GenerationContext, min: number, max: number): number {
  return min + Math.floor(ctx.random() * (max - min + 1));
}

export function pickOne<T>(ctx: GenerationContext, values: readonly T[]): T {
  return values[Math.floor(ctx.random() * values.length)]!;
}
