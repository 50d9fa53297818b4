import { describe, expect, it } from "vitest";
import { contractMatchers } from "../contracts/matchers.js";

expect.extend(contractMatchers);

const INFO = "/alibaba/refund/info";

function setup() {
  const valid = { code: 200, msg: "成功", data: { refundId: "TQ36706338027991577", applyPayment: 1250 } };
  const failMessage = (run: () => void): string => {
    try {
      run();
    } catch (error) {
      return (error as Error).message.replace(/\u001b\[\d+m/g, "");
    }
    throw new Error("the assertion did not fail");
  };
  return { valid, failMessage };
}

describe("toSatisfyContract", () => {
  it("passes a valid response, as a value and as raw text", () => {
    const { valid } = setup();
    expect(valid).toSatisfyContract(INFO);
    expect(JSON.stringify(valid)).toSatisfyContract(INFO, "response");
  });

  it("passes a valid request with the request direction", () => {
    expect({ refundId: "TQ1" }).toSatisfyContract(INFO, "request");
    expect({}).not.toSatisfyContract(INFO, "request");
  });

  it("fails with every violation's path, what the docs expect and what was received", () => {
    const { valid, failMessage } = setup();
    const message = failMessage(() =>
      expect({ ...valid, data: { ...valid.data, applyPayment: "12.50", onlyRefund: "false" } }).toSatisfyContract(INFO),
    );
    expect(message).toContain("expected the payload to satisfy the response contract of /alibaba/refund/info; 2 violation(s):");
    expect(message).toContain("✗ data.applyPayment  [type]\n      - expected: must be integer or null\n      + received: \"12.50\"");
    expect(message).toContain("✗ data.onlyRefund  [type]");
  });

  it("lists warnings without failing on them", () => {
    const { valid, failMessage } = setup();
    const drifted = { ...valid, data: { ...valid.data, refundChannel: "alipay" } };
    expect(drifted).toSatisfyContract(INFO);
    const message = failMessage(() => expect({ ...drifted, code: "x" }).toSatisfyContract(INFO));
    expect(message).toContain("warnings (not failing):\n  ! data.refundChannel  [drift]");
  });

  it("fails on warnings when asked to", () => {
    const { valid, failMessage } = setup();
    const raw = `{"code":200,"data":{"orderId":2123456789012345678}}`;
    const message = failMessage(() => expect(raw).toSatisfyContract(INFO, "response", { failOnWarnings: true }));
    expect(message).toContain("! data.orderId  [precision]");
    expect(message).toContain("+ received: \"2123456789012345678\"");
    expect(valid).toSatisfyContract(INFO, "response", { failOnWarnings: true });
  });

  it("fails an error envelope with the API's code and msg", () => {
    const { failMessage } = setup();
    const message = failMessage(() => expect({ code: 401, msg: "Invalid signature", data: null }).toSatisfyContract(INFO));
    expect(message).toContain("- expected: the API answered with error 401: Invalid signature");
  });
});
