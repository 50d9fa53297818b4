import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPandaponClient, DEMO_PANDAPON, startMock } from "../index.js";
import type { StartedMock } from "../index.js";
import { PACKAGE_ROOT } from "../schemas/package-root.js";

// The README's "Testing your integration" example, run as it is written there (the block between the markers).

// README:begin
describe("refund status", () => {
  let mock: StartedMock;
  beforeAll(async () => {
    mock = await startMock({ seed: 1, state: "memory" });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  it("given the refund endpoint times out once, my client retries and succeeds", async () => {
    mock.rules.add({ match: { operation: "/alibaba/refund/info", times: 1 }, answer: { fault: { kind: "no-answer", holdMs: 10_000 } } });
    const client = createPandaponClient({ baseUrl: mock.url, ...DEMO_PANDAPON, timeoutMs: 2_000, retries: 1 });

    const answer = await client.call("/alibaba/refund/info", { refundId: "TQ1" });

    expect(answer.attempts).toBe(2);
    expect(answer.envelope).toMatchObject({ code: 200 });
    const calls = mock.journal.list({ operation: "/alibaba/refund/info" }); // newest first
    expect(calls.map((call) => call.status)).toEqual([200, 0]); // 0: no answer (a connection fault)
    expect(calls[0]!.request!.body).toBe('{"refundId":"TQ1"}');
  });
});
// README:end

describe("the README's example", () => {
  it("is this file's test, word for word", () => {
    const self = readFileSync(join(PACKAGE_ROOT, "test/readme-testing-your-integration.test.ts"), "utf8");
    const block = /\/\/ README:begin\n([\s\S]*?)\/\/ README:end/.exec(self)![1]!;
    const readme = readFileSync(join(PACKAGE_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Testing your integration\n"), readme.indexOf("\n## ", readme.indexOf("\n## Testing your integration\n") + 1));
    expect(section).toContain(block);
  });
});
