import { fromWireText } from "../../protocol/wire-text.js";
import { compilePattern } from "../generate/fill-pattern.js";
import { createRandomizer, hashToSeed } from "../generate/randomizer.js";
import type { GenerationContext } from "../generate/generation-context.js";
import type { Lifecycle } from "./lifecycle.js";

/**
 * The id of the `sequence`-th entity of this type a tenant creates: the lifecycle's id pattern
 * filled from (seed, tenant, type, sequence), not from chance, so the same requests make the same
 * ids on every run. Two sequences may meet on one id (as two generated ids may); the store checks.
 */
export function toEntityId(lifecycle: Lifecycle, seed: string | number, tenant: string, sequence: number): string {
  const random = createRandomizer(hashToSeed(`${seed}|id|${tenant}|${lifecycle.type}|${sequence}`)).next;
  // Patterns draw only from `random`; the rest of a generation context is not read.
  return fromWireText(compilePattern(lifecycle.id.pattern)({ random } as GenerationContext));
}
