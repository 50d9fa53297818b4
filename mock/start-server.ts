import type { Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { MockApp } from "./app.js";

export interface RunningServer {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish, closes idle keep-alive connections. */
  close(): Promise<void>;
}

export function startServer(app: MockApp, port: number, host: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
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
      resolve({
        server,
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            closing = true;
            for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
            server.close((error) => (error ? fail(error) : done()));
            server.closeIdleConnections();
          }),
      });
    });
  });
}
