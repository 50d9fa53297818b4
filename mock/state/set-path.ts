/**
 * Sets a member at a dotted path. Objects on the way are copied, never changed (copy on write), so
 * a record made from a shallow copy of another's fields shares nothing it writes; a member named
 * __proto__ is set as data, never as the prototype.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  if (!path.includes(".")) return define(target, path, value);
  const segments = path.split(".");
  const parent = toParent(target, segments, true)!;
  define(parent, segments[segments.length - 1]!, value);
}

/** Removes the member at a dotted path (its objects copied on write, as setPath does); nothing when a parent is absent. */
export function deletePath(target: Record<string, unknown>, path: string): void {
  const segments = path.split(".");
  const parent = toParent(target, segments, false);
  if (parent) delete parent[segments[segments.length - 1]!];
}

/** The object holding the path's last member, each object on the way replaced by a copy (made when absent and `make`). */
function toParent(target: Record<string, unknown>, segments: string[], make: boolean): Record<string, unknown> | undefined {
  let current = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = current[segments[i]!];
    const isObject = next !== null && typeof next === "object" && !Array.isArray(next);
    if (!isObject && !make) return undefined;
    const copy: Record<string, unknown> = isObject ? { ...(next as Record<string, unknown>) } : {};
    define(current, segments[i]!, copy);
    current = copy;
  }
  return current;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
