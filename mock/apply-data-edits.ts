import { toWireValue } from "../protocol/wire-text.js";
import { deletePath, setPath } from "./state/set-path.js";
import type { DataEdit } from "./state/operation-wiring.js";

/**
 * Generated data (its strings wire text) with edits applied: each value set at its dotted path
 * (converted to wire text; objects on the way made when absent), or removed. Data that is not an
 * object (an operation without Data answers null) has no member to edit and is returned as is.
 */
export function applyDataEdits(data: unknown, edits: readonly DataEdit[]): unknown {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return data;
  const out = data as Record<string, unknown>;
  for (const { path, value } of edits) {
    if (value === undefined) deletePath(out, path);
    else setPath(out, path, toWireValue(value));
  }
  return out;
}
