import { describe, expect, it } from "vitest";
import { createRandomizer } from "../mock/generate/randomizer.js";
import { compileExpression } from "../mock/state/compile-expression.js";
import { compileAssignments, compileMembers, isLiteral, type Assignment } from "../mock/state/compile-setters.js";
import type { ExpressionScope } from "../mock/state/expression-scope.js";

function scope(fields: Record<string, unknown>): ExpressionScope {
  return { fields, input: { n: 7 }, vars: {}, item: null, before: null, after: null, now: 0, timers: [], random: createRandomizer(1).next, rows: new Map(), kind: undefined };
}

/** An assignment as to-lifecycle.ts makes it from a file's `set` member. */
function assignment(field: string, node: unknown, nullable = true): Assignment {
  return { field, value: compileExpression(node, field), kind: undefined, nullable, ...(isLiteral(node) ? { literal: { value: node } } : {}) };
}

describe("compiled assignments and members", () => {
  it("set fields in order, each expression reading those set before it; null sets null where allowed and removes the field elsewhere", () => {
    const assign = compileAssignments([
      assignment("a", { input: "n" }),
      assignment("b", { sum: [{ field: "a" }, 1] }),
      assignment("c", "text"),
      assignment("d", null),
      assignment("gone", null, false),
      assignment("alsoGone", { input: "missing" }, false),
      assignment("nested.x", { field: "b" }),
      assignment("nested.y", null, false),
    ]);
    const nested = { y: 1, z: 2 };
    const s = scope({ gone: 1, alsoGone: 2, nested });
    assign(s);
    expect(s.fields).toEqual({ a: 7, b: 8, c: "text", d: null, nested: { x: 8, z: 2 } });
    expect(nested).toEqual({ y: 1, z: 2 });
    expect(s.kind).toBeUndefined();
  });

  it("keep a field or member named __proto__ as data, never the prototype", () => {
    const s = scope({});
    compileAssignments([assignment("__proto__", { const: { polluted: true } })])(s);
    expect(Object.getPrototypeOf(s.fields)).toBe(Object.prototype);
    expect(Object.keys(s.fields)).toEqual(["__proto__"]);
    const made = compileMembers([["__proto__", compileExpression({ const: { polluted: true } }, "p")], ["b", compileExpression(null, "b")], ["c", compileExpression(2, "c")]])(s);
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
    expect(Object.keys(made)).toEqual(["__proto__", "c"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("write a field name that is not an identifier as it is", () => {
    const s = scope({});
    compileAssignments([assignment('we"ird\\name', 1), assignment("0", { input: "n" })])(s);
    expect(s.fields).toEqual({ 'we"ird\\name': 1, 0: 7 });
  });
});
