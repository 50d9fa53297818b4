import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ServerOptions {
  /**
   * How long close() lets requests in flight finish before it ends their connections (a client
   * that sent half its headers, a stalled upload): close() always resolves within about this.
   */
  drainMs?: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  /**
   * Stops accepting, closes idle keep-alive connections, lets requests in flight finish (their
   * answers say `Connection: close`), ends the connections still open after `drainMs`, then resolves.
   */
  close(): Promise<void>;
}

export const DEFAULT_DRAIN_MS = 5_000;
/** A client has this long to send its headers, and a whole request (body included): a mock's requests are small. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Any request listener: the mock (createApp) or the proxy. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function startServer(app: RequestListener, port: number, host: string, options: ServerOptions = {}): Promise<RunningServer> {
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  return new Promise((resolve, reject) => {
    // Node checks the two timeouts every connectionsCheckingInterval (30 s by default): 1 s keeps them near their value.
    const server = createServer({ connectionsCheckingInterval: 1_000 }, app);
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.listen(port, host);
    // Answers still in flight when closing say `Connection: close`, so keep-alive clients do not reuse the socket.
    const inFlight = new Set<ServerResponse>();
    let closing = false;
    server.on("request", (_req, res: ServerResponse) => {
      if (closing) res.setHeader("connection", "close");
      inFlight.add(res);
      res.on("close", () => inFlight.delete(res));
    });
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      let closed: Promise<void> | undefined;
      resolve({
        server,
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          (closed ??= new Promise<void>((done) => {
            closing = true;
            for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
            // Whatever is still open at the deadline (half-sent headers, a stalled upload) is ended.
            const deadline = setTimeout(() => server.closeAllConnections(), drainMs);
            server.close(() => {
              clearTimeout(deadline);
              done();
            });
            server.closeIdleConnections();
          })),
      });
    });
  });
}
