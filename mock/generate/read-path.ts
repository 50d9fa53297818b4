const compiledPaths = new Map<string, (value: unknown) => unknown>();

function member(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
}

/** Reads a dotted path (`a.b`, `lines[].total` collects over an array) from a value. */
export function readPath(value: unknown, path: string): unknown {
  let read = compiledPaths.get(path);
  if (!read) {
    const segments = path.split(".");
    if (!path.includes("[]")) {
      read = (v) => {
        let current = v;
        for (const s of segments) current = member(current, s);
        return current;
      };
    } else {
      read = (v) => {
        let current: unknown[] = [v];
        for (const segment of segments) {
          const many = segment.endsWith("[]");
          const key = many ? segment.slice(0, -2) : segment;
          current = current.flatMap((item) => {
            const child = member(item, key);
            return many && Array.isArray(child) ? child : [child];
          });
        }
        return current;
      };
    }
    compiledPaths.set(path, read);
  }
  return read(value);
}
