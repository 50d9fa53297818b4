/** PandaPon routes: exact paths by map lookup, templated paths (`/x/{refundId}`) by pattern. */
export interface RouteTable<T> {
  add(method: string, path: string, target: T): void;
  match(method: string, path: string): { target: T; pathParams: Record<string, string> } | undefined;
}

function toRoutePattern(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a: string, b: string) => {
    names.push(a ?? b);
    return "([^/]+)";
  });
  return { regex: new RegExp(`^${source}$`), names };
}

/** A path segment decoded; a malformed percent-escape is kept as sent (the request schema judges it). */
function toDecodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function createRouteTable<T>(): RouteTable<T> {
  const exact = new Map<string, T>();
  const templated: Array<{ method: string; regex: RegExp; names: string[]; target: T }> = [];
  return {
    add(method, path, target) {
      if (path.includes("{")) templated.push({ method, ...toRoutePattern(path), target });
      else exact.set(`${method} ${path}`, target);
    },
    match(method, path) {
      const found = exact.get(`${method} ${path}`);
      if (found) return { target: found, pathParams: {} };
      for (const route of templated) {
        if (route.method !== method) continue;
        const m = route.regex.exec(path);
        if (!m) continue;
        const pathParams: Record<string, string> = {};
        route.names.forEach((name, i) => {
          pathParams[name] = toDecodedSegment(m[i + 1]!);
        });
        return { target: route.target, pathParams };
      }
      return undefined;
    },
  };
}
