// The ceiling: a bare node:http server that reads the request body and answers a fixed JSON body.
// Run with plain node (no tsx, no framework) so it costs what the platform costs and nothing more.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const body = Buffer.from(process.argv[2] ? readFileSync(process.argv[2]) : '{"code":200,"msg":"成功","data":null}');
const headers = { "content-type": "application/json;charset=UTF-8", "content-length": body.length };
const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`ceiling listening on http://127.0.0.1:${server.address().port}`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
