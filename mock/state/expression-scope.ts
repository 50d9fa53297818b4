import type { Row } from "../generate/tables.js";
import type { Kind } from "../../schemas/primary-kind.js";
import type { EntityTimer } from "./entity.js";

/** What an expression reads: the entity as set so far, the action's input and time, the seeded randomness. */
export interface ExpressionScope {
  fields: Record<string, unknown>;
  input: unknown;
  vars: Record<string, unknown>;
  /** The element `map` and `object` are at. */
  item: unknown;
  /** The state before the action (null at creation). */
  before: string | null;
  /** The state after it (in `requires` and `to`: still the state before). */
  after: string | null;
  /** The action's time (epoch ms). */
  now: number;
  /** The entity's timers after the action. */
  timers: readonly EntityTimer[];
  random: () => number;
  /** Table and address rows shared by the `generate` calls of one action. */
  rows: Map<string, Row>;
  /** The type of the field being set (what `generate` makes unless told). */
  kind: Kind | undefined;
}

export type Evaluate = (scope: ExpressionScope) => unknown;
