import { request } from "node:http";

export interface PlainRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One request on a fresh connection (no agent), answer read in full. */
export function sendRequest(baseUrl: string, req: PlainRequest, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  const url = new URL(req.path, baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) }, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}
