// The push receiver of the `statePushes` row: a bare node:http server that answers every POST 200 at
// once and counts the deliveries; GET /count answers the counts as JSON. Run with plain node, like the
// ceiling. Argument: the tenant's AccessSecret. Every delivery's signature is checked, cheaply (one
// HMAC-SHA256 of a body of ~2 KB, a few µs: a small share of what the mock spends sending it):
// `delivered` counts the messages whose Authorization is the hex HMAC-SHA256 of the raw body,
// `badSignature` those with another one, `unsigned` those without; `byType` counts by messageType
// (read from the start of the body, where the message text puts it).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const secret = process.argv[2];
if (!secret) {
  console.error("usage: node push-receiver.mjs <AccessSecret>");
  process.exit(2);
}
const counts = { delivered: 0, badSignature: 0, unsigned: 0, byType: {} };
const MESSAGE_TYPE = /^\{"messageType":"([^"]{1,100})"/;
const ok = Buffer.from("{}");
const headers = { "content-type": "application/json", "content-length": ok.length };

function count(authorization, body) {
  if (typeof authorization !== "string" || authorization.length === 0) {
    counts.unsigned++;
    return;
  }
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(authorization, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    counts.badSignature++;
    return;
  }
  counts.delivered++;
  const type = MESSAGE_TYPE.exec(body.subarray(0, 200).toString("utf8"))?.[1] ?? "(none)";
  counts.byType[type] = (counts.byType[type] ?? 0) + 1;
}

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") {
    const text = Buffer.from(JSON.stringify(counts));
    res.writeHead(200, { "content-type": "application/json", "content-length": text.length });
    res.end(text);
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    count(req.headers.authorization, Buffer.concat(chunks));
    res.writeHead(200, headers);
    res.end(ok);
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`push receiver listening on http://127.0.0.1:${server.address().port}`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
