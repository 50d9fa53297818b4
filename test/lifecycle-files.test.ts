import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findFieldSchema } from "../mock/state/find-field-schema.js";
import { checkLifecycleFormat } from "../mock/state/lifecycle-format.js";
import { checkLifecycleReferences } from "../mock/state/lifecycle-references.js";
import type { LifecycleFile } from "../mock/state/lifecycle-file.js";
import { loadLifecycles, readLifecycleFiles } from "../mock/state/lifecycle.js";
import type { JsonSchema } from "../schemas/operation.js";
import { getCatalog } from "../schemas/catalog.js";

const catalog = getCatalog();

/** A small valid lifecycle over the 1688 refund's fields, changed by each case below. */
function setup(): LifecycleFile {
  return {
    type: "tiny",
    title: "A tiny lifecycle",
    data: { operation: "/alibaba/refund/info" },
    id: { field: "refundId", pattern: "TQ{d17}" },
    stateField: "status",
    states: {
      open: { title: "open", initial: true, timers: [{ after: 60, action: "expire" }] },
      done: { title: "done", final: true, set: { gmtCompleted: { now: "datetime" } } },
    },
    actions: [
      { name: "create", title: "create", actor: "buyer", operation: "/alibaba/refund/detail/create", from: null, to: "open", set: { gmtCompleted: null } },
      { name: "finish", title: "finish", actor: "seller", from: ["open"], to: "done" },
      { name: "expire", title: "expire", actor: "timer", from: ["open"], to: "done" },
    ],
    invariants: [{ name: "completed-when-done", that: { iff: [{ isSet: { field: "gmtCompleted" } }, { inState: ["done"] }] } }],
    birth: { age: [60, 3600], maxSteps: 3 },
  };
}

function problemsOf(file: LifecycleFile): string[] {
  const format = checkLifecycleFormat(file);
  return format.length > 0 ? format : checkLifecycleReferences(catalog, `${file.type}.json`, file);
}

describe("lifecycle files", () => {
  for (const [name, json] of readLifecycleFiles()) {
    it(`${name} validates against the format (schemas/lifecycles/lifecycle.schema.json)`, () => {
      expect(checkLifecycleFormat(json)).toEqual([]);
    });
    it(`${name}: every field it names is a member of the entity's schema, and every reference resolves`, () => {
      const file = json as LifecycleFile;
      expect(checkLifecycleReferences(catalog, name, file)).toEqual([]);
      const operation = catalog.find(file.data.operation)!;
      const entity = { schema: (operation.schema.definitions as Record<string, JsonSchema>)[file.data.definition ?? "Data"]!, base: operation.id };
      const lifecycle = loadLifecycles(catalog).get(file.type)!;
      for (const field of lifecycle.owned) expect(findFieldSchema(catalog, entity, field), field).toBeDefined();
    });
  }

  it("accepts the small lifecycle the cases below change", () => {
    expect(problemsOf(setup())).toEqual([]);
  });

  const cases: Array<[string, (file: LifecycleFile) => void, RegExp]> = [
    ["an unknown operator", (f) => void (f.invariants[0]!.that = { nearly: [1, 2] }), /invariants\/0\/that/],
    ["an unknown actor", (f) => void (f.actions[1]!.actor = "courier" as "seller"), /actor/],
    ["a missing birth", (f) => void delete (f as Partial<LifecycleFile>).birth, /birth/],
    ["a state not declared", (f) => void (f.actions[1]!.to = "archived"), /names the state "archived", which is not declared/],
    ["a field not in the schema", (f) => void (f.actions[1]!.set = { refundColour: "red" }), /field "refundColour" is not a member of Data/],
    ["an operation not in the catalog", (f) => void (f.actions[0]!.operation = "/alibaba/refund/teleport"), /operation "\/alibaba\/refund\/teleport" is not in the catalog/],
    ["a seller action with an operation", (f) => void (f.actions[1]!.operation = "/alibaba/refund/info"), /only buyer actions are API calls/],
    ["a final state left", (f) => void (f.actions[1]!.from = ["done"]), /leaves the final state "done"/],
    ["a timer action no timer takes", (f) => void (f.states.open!.timers = []), /timer actions, and only they/],
    ["a creation that leaves a set field unset", (f) => void (f.actions[1]!.set = { rejectTimes: 1 }), /leaves unset: rejectTimes/],
    ["an unreachable state", (f) => void (f.states.limbo = { title: "limbo" }), /state "limbo" cannot be reached/],
    ["a file named after another type", (f) => void (f.type = "other"), /must be named other\.json/],
    ["a log entry without a log", (f) => void (f.actions[1]!.log = { operateRemark: "x" }), /logs, but the lifecycle has no log/],
  ];
  for (const [name, change, problem] of cases) {
    it(`refuses ${name}`, () => {
      const file = setup();
      change(file);
      const problems = name === "a file named after another type" ? checkLifecycleReferences(catalog, "tiny.json", file) : problemsOf(file);
      expect(problems.join("\n")).toMatch(problem);
    });
  }

  it("names the file and the expression of a malformed expression when it loads a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "lifecycles-"));
    try {
      const file = setup();
      file.actions[1]!.set = { gmtCompleted: { time: { now: "datetime" }, format: "datetime", add: 60 }, rejectTimes: { generate: { gen: "list" } } };
      file.actions[0]!.set = { gmtCompleted: null, rejectTimes: 0 };
      writeFileSync(join(dir, "tiny.json"), JSON.stringify(file));
      expect(() => loadLifecycles(catalog, dir)).toThrow(/tiny\.json: .*actions\.finish\.set\.rejectTimes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
