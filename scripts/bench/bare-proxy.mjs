// The reference proxy: what any Node.js proxy pays on this machine. A bare node:http pass-through
// (keep-alive agent, no Nagle delay, request and answer piped, no checks, nothing kept): the rows
// of the validating proxy are read against it. Run with plain node: node bare-proxy.mjs <upstream URL>.
import { Agent, createServer, request } from "node:http";

const upstream = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
const server = createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const out = request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
    const back = { ...answer.headers };
    delete back.connection;
    res.writeHead(answer.statusCode, back);
    answer.pipe(res);
  });
  out.setNoDelay(true);
  out.on("error", () => res.destroy());
  req.pipe(out);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`bare proxy listening on http://127.0.0.1:${server.address().port}`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
