import { Agent, request } from "node:http";
import { median } from "./combine-rounds.js";
import type { PlainRequest } from "./send-request.js";

/** What a proxy adds to one request's latency, unsaturated (see measureAddedLatency). */
export interface AddedLatency {
  /** Pairs sent in all (one request directly, one through the proxy, order alternating). */
  pairs: number;
  directP50Us: number;
  proxiedP50Us: number;
  /** Median over the pairs of (through the proxy − directly), µs. */
  addedP50Us: number;
  /** The same, round by round. */
  addedByRoundUs: number[];
  /** Back to back through the proxy (one connection, the next request as soon as an answer is in), p50 minus the same directly, µs. */
  backToBackAddedP50Us: number;
}

/** One request on a kept-alive connection of `agent`, timed from the first byte written to the last byte read (µs). */
function timeRequest(baseUrl: URL, agent: Agent, req: PlainRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) };
    const started = performance.now();
    const outgoing = request({ host: baseUrl.hostname, port: baseUrl.port, path: req.path, method: req.method, headers, agent }, (res) => {
      res.on("data", () => {});
      res.on("end", () => (res.statusCode === 200 ? resolve(Math.round((performance.now() - started) * 1000)) : reject(new Error(`HTTP ${res.statusCode} from ${baseUrl.origin}`))));
      res.on("error", reject);
    });
    outgoing.setNoDelay(true);
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

/**
 * The latency a proxy adds to one request when it is not saturated: `pairs` per round of one
 * request straight to the upstream and one through the proxy (which goes first alternates), each on
 * its own kept-alive connection, one at a time, nothing else loading the machine; each request is
 * built (signed) before its clock starts. Then the same number back to back on one connection,
 * directly and through the proxy, where each request may meet the checks of the one before.
 */
export async function measureAddedLatency(directUrl: string, proxyUrl: string, createRequest: () => PlainRequest, pairs: number, rounds: number): Promise<AddedLatency> {
  const direct = new URL(directUrl);
  const proxied = new URL(proxyUrl);
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })] as const;
  try {
    // Connections opened and code warmed before the clock runs.
    for (let i = 0; i < Math.min(200, pairs); i++) {
      await timeRequest(direct, agents[0], createRequest());
      await timeRequest(proxied, agents[1], createRequest());
    }
    const directUs: number[] = [];
    const proxiedUs: number[] = [];
    const addedByRoundUs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const added: number[] = [];
      for (let i = 0; i < pairs; i++) {
        const a = createRequest();
        const b = createRequest();
        const proxyFirst = i % 2 === 1;
        const through = proxyFirst ? await timeRequest(proxied, agents[1], a) : 0;
        const straight = await timeRequest(direct, agents[0], b);
        const late = proxyFirst ? through : await timeRequest(proxied, agents[1], a);
        directUs.push(straight);
        proxiedUs.push(late);
        added.push(late - straight);
      }
      addedByRoundUs.push(median(added));
    }
    const backToBack = async (url: URL, agent: Agent) => {
      const requests = Array.from({ length: pairs }, createRequest);
      const times: number[] = [];
      for (const req of requests) times.push(await timeRequest(url, agent, req));
      return median(times);
    };
    const backToBackDirect = await backToBack(direct, agents[0]);
    const backToBackProxied = await backToBack(proxied, agents[1]);
    return {
      pairs: pairs * rounds,
      directP50Us: median(directUs),
      proxiedP50Us: median(proxiedUs),
      addedP50Us: median(addedByRoundUs),
      addedByRoundUs,
      backToBackAddedP50Us: backToBackProxied - backToBackDirect,
    };
  } finally {
    for (const agent of agents) agent.destroy();
  }
}
