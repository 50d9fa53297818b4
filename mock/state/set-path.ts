/**
 * Sets a member at a dotted path. Objects on the way are copied, never changed (copy on write), so
 * a record made from a shallow copy of another's fields shares nothing it writes; a member named
 * __proto__ is set as data, never as the prototype.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split(".");
  let current = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = current[segments[i]!];
    const copy: Record<string, unknown> = next !== null && typeof next === "object" && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    define(current, segments[i]!, copy);
    current = copy;
  }
  define(current, segments[segments.length - 1]!, value);
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
