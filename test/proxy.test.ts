import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { createTopClient } from "../client/create-top-client.js";
import { startServer } from "../mock/start-server.js";
import { DEMO_PANDAPON, DEMO_TOP } from "../protocol/demo.js";
import type { ProxyOptions } from "../proxy/create-proxy.js";
import { createProxy } from "../proxy/create-proxy.js";
import { findRefusingUrl, playUpstream } from "./helpers/play-upstream.js";
import type { PlayOptions } from "./helpers/play-upstream.js";

/** A played upstream, the proxy in front of it (both on 127.0.0.1) and signing clients that call the proxy. */
async function setup(play: PlayOptions = {}, proxy: Partial<ProxyOptions> = {}) {
  const upstream = await playUpstream(play);
  const app = createProxy({ target: upstream.url, ...proxy });
  const running = await startServer(app, 0, "127.0.0.1");
  const pandapon = createPandaponClient({ baseUrl: running.url, ...DEMO_PANDAPON, retries: 0 });
  const top = createTopClient({ gateway: running.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format: "json" });
  const topXml = createTopClient({ gateway: running.url, appKey: DEMO_TOP.appKey, secret: DEMO_TOP.secret, retries: 0, format: "xml" });
  return {
    app,
    upstream,
    url: running.url,
    pandapon,
    top,
    topXml,
    stop: async () => (await app.settle(), await running.close(), await upstream.stop()),
  };
}

describe("proxy: forwarding", () => {
  it("forwards a signed PandaPon request and its answer byte for byte, and finds nothing wrong with a conforming API", async () => {
    const t = await setup();
    try {
      const call = await t.pandapon.call("/alibaba/refund/info", { refundId: "TQ77" });
      expect(call.status).toBe(200);
      expect(call.apiError).toBeUndefined();
      const seen = t.upstream.seen[0]!;
      expect(seen.body.toString("utf8")).toBe(call.request.body);
      for (const name of ["access-key", "signature", "timestamp", "nonce-str", "user-id"]) expect(seen.headers[name]).toBe(call.request.headers[name]);
      expect(Buffer.from(call.rawBody)).toEqual(seen.answer.body);
      expect(call.headers["x-upstream"]).toBe("played");
      await t.app.settle();
      const [result] = t.app.readResults();
      expect(result).toMatchObject({ operation: "/alibaba/refund/info", outcome: "passed", status: 200 });
    } finally {
      await t.stop();
    }
  });
});
