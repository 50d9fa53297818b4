/** Deepest nesting accepted in a request's JSON: far beyond any documented payload, far below a stack limit. */
export const MAX_JSON_DEPTH = 64;

export type JsonReading = { ok: true; value: unknown } | { ok: false; reason: string };

function isTooDeep(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const child of Object.values(node as object)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Parses request JSON, refusing nesting deeper than MAX_JSON_DEPTH (checked without recursion). */
export function readJson(text: string): JsonReading {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: (error as Error).message.slice(0, 200) };
  }
  // Each level of nesting takes two characters at least ("[" and "]"): a short text cannot be too deep.
  if (text.length > 2 * MAX_JSON_DEPTH && value !== null && typeof value === "object" && isTooDeep(value, MAX_JSON_DEPTH)) {
    return { ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  return { ok: true, value };
}
