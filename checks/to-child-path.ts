/** The dotted path of a member or item below `path`, as violations write it: `data.list[0].id`. */
export function toChildPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
