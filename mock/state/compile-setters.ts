import type { Kind } from "../../schemas/primary-kind.js";
import type { Evaluate, ExpressionScope } from "./expression-scope.js";
import { deletePath, setPath } from "./set-path.js";

/**
 * A field set to an expression's value; `kind` is the field's type in the entity's schema, `nullable`
 * whether it allows null (else null removes it); `literal`: the value when the file writes it as a
 * plain value (text, number, boolean or null), the same every time.
 */
export interface Assignment {
  field: string;
  value: Evaluate;
  kind: Kind | undefined;
  nullable: boolean;
  literal?: { value: string | number | boolean | null };
}

/** Sets a list of assignments on the scope's fields, in order (each expression sees the fields set before it). */
export type Assign = (scope: ExpressionScope) => void;

/** Whether a file value is written as is (not an expression): text, number, boolean or null. */
export function isLiteral(node: unknown): node is string | number | boolean | null {
  return node === null || typeof node === "string" || typeof node === "number" || typeof node === "boolean";
}

/** A key a compiled function can store as a named member (`__proto__` must be defined, a dotted path walked). */
const isPlainKey = (key: string) => key !== "__proto__" && !key.includes(".");

/**
 * Compiles an assignment list (an action's `set`, a state's `set`, `always`) into one function
 * written for it: a named store per field, literal values written in, one call per expression.
 * What interpreting the list does, without a loop of megamorphic calls and keyed stores (an
 * entity's creation sets ~60 fields, and a born entity is created on every read of a new id).
 */
export function compileAssignments(assignments: readonly Assignment[]): Assign {
  if (assignments.length === 0) return () => {};
  const lines = assignments.map((a, i) => {
    const key = JSON.stringify(a.field);
    const set = (v: string) => (isPlainKey(a.field) ? `f[${key}] = ${v};` : `setPath(f, ${key}, ${v});`);
    const unset = a.nullable ? set("null") : isPlainKey(a.field) ? `delete f[${key}];` : `deletePath(f, ${key});`;
    if (a.literal) return a.literal.value === null ? unset : set(JSON.stringify(a.literal.value));
    return `s.kind = kinds[${i}]; v = values[${i}](s); if (v !== null && v !== undefined) ${set("v")} else ${unset}`;
  });
  const source = ["return function assign(s) {", "  const f = s.fields;", "  let v;", ...lines.map((l) => `  ${l}`), "  s.kind = undefined;", "};"].join("\n");
  const make = new Function("values", "kinds", "setPath", "deletePath", source) as (...args: unknown[]) => Assign;
  return make(
    assignments.map((a) => a.value),
    assignments.map((a) => a.kind),
    setPath,
    deletePath,
  );
}

/**
 * Compiles named members (a log entry, `make`) into one function making the object: members in
 * order, a null or absent value leaving its member out, each a named store ("__proto__" defined
 * as a member, never the prototype).
 */
export function compileMembers(members: ReadonlyArray<readonly [name: string, value: Evaluate]>): (scope: ExpressionScope) => Record<string, unknown> {
  const lines = members.map(([name], i) => {
    const store = name === "__proto__" ? `defineOwn(o, v)` : `o[${JSON.stringify(name)}] = v`;
    return `v = values[${i}](s); if (v !== null && v !== undefined) ${store};`;
  });
  const source = ["return function makeMembers(s) {", "  const o = {};", "  let v;", ...lines.map((l) => `  ${l}`), "  return o;", "};"].join("\n");
  const defineOwn = (o: object, value: unknown) => Object.defineProperty(o, "__proto__", { value, enumerable: true, writable: true, configurable: true });
  const make = new Function("values", "defineOwn", source) as (...args: unknown[]) => (scope: ExpressionScope) => Record<string, unknown>;
  return make(
    members.map(([, value]) => value),
    defineOwn,
  );
}
