import { describe, expect, it } from "vitest";
import type { ActionFile, LifecycleFile } from "../mock/state/lifecycle-file.js";
import { readLifecycleFiles } from "../mock/state/lifecycle.js";
import { toBornLeaveOut } from "../mock/state/to-born-request.js";
import { getCatalog } from "../schemas/catalog.js";

const REQUEST = { type: "object", properties: { a: {}, b: {}, c: {}, d: {} } };

/** A lifecycle file around one buyer action (only what toBornLeaveOut reads). */
function fileWith(action: Partial<ActionFile>, always?: Record<string, unknown>): [LifecycleFile, ActionFile] {
  const full = { name: "act", title: "", actor: "buyer", from: null, to: "s", ...action } as ActionFile;
  return [{ states: { s: { title: "", set: { x: { input: "d" } } } }, actions: [full], ...(always ? { always } : {}) } as unknown as LifecycleFile, full];
}

describe("the members of a born request left out", () => {
  it("leaves out what no expression reads and what the birth input sets whole without reading it", () => {
    const [file, action] = fileWith({ requires: [{ that: { input: "a.deep" }, reason: "" }], birth: { input: { b: 1, c: { input: "c" } } } });
    // a read by the action, d by a state's set, c read by the birth input; b set whole by it.
    expect(toBornLeaveOut(file, action, REQUEST)).toEqual(["b"]);
    const [file2, action2] = fileWith({ set: { y: { const: { input: "a" } } } });
    expect(toBornLeaveOut(file2, action2, REQUEST)).toEqual(["a", "b", "c"]);
  });

  it("keeps a member the birth input sets only in part, and everything when the whole input is read", () => {
    const [file, action] = fileWith({ birth: { input: { "b.x": 1 } } });
    expect(toBornLeaveOut(file, action, REQUEST)).toEqual(["a", "c"]);
    for (const whole of [{ input: "" }, { generate: { gen: "template", template: "{request.a}" } }]) {
      const [f, a] = fileWith({}, { z: whole });
      expect(toBornLeaveOut(f, a, REQUEST)).toEqual([]);
    }
  });

  it("on the 1688 refund: the create request without orderEntryCountList (the birth input sets it null), the return without refundId and vouchers", () => {
    const [, json] = readLifecycleFiles().find(([name]) => name === "alibaba-refund.json")!;
    const file = json as LifecycleFile;
    const leaveOut = (name: string) => {
      const action = file.actions.find((a) => a.name === name)!;
      return toBornLeaveOut(file, action, getCatalog().find([action.operation].flat()[0]!)!.request);
    };
    expect(leaveOut("create")).toEqual(["orderEntryCountList"]);
    expect(leaveOut("return-goods")).toEqual(["refundId", "vouchers"]);
  });
});
