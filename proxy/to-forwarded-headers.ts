/** Headers that concern one connection, not the message (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

/**
 * Raw headers (name, value, name, value… as Node keeps them: names in their case, repeats kept,
 * in order) without the hop-by-hop ones, those the Connection header names and those in `drop`;
 * `host` replaced by the upstream's when given (the upstream must see its own name).
 */
export function toForwardedHeaders(raw: readonly string[], host?: string, drop?: ReadonlySet<string>): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === "connection") for (const token of raw[i + 1]!.split(",")) named.add(token.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name) || drop?.has(name)) continue;
    out.push(raw[i]!, name === "host" && host !== undefined ? host : raw[i + 1]!);
  }
  return out;
}

/**
 * Expect is met by the proxy's own server, not forwarded: Node answers a 100-continue expectation
 * with 100 Continue before the proxy sees the request (any other with 417), so the body comes
 * whatever the upstream would say; and Node's client, asked to forward one, writes the headers as
 * UTF-8 (a byte ≥ 0x80 in a header's value went out as two).
 */
const MET_BY_THE_PROXY: ReadonlySet<string> = new Set(["expect"]);

/**
 * A request's headers as forwarded: toForwardedHeaders, Expect aside, Host the upstream's — first,
 * when the client sent none (HTTP/1.0 allows that; an HTTP/1.1 upstream refuses a request without
 * it) — and its Transfer-Encoding again when that ends in chunked (Node's client chunks the body
 * again): the body is streamed as it comes, and Node's client chunks a body nobody announced only
 * for methods it expects one with — a chunked GET, HEAD, DELETE, OPTIONS or TRACE body went out
 * unframed, and the upstream read it as the start of a next request.
 */
export function toForwardedRequestHeaders(raw: readonly string[], host: string): string[] {
  const out = toForwardedHeaders(raw, host, MET_BY_THE_PROXY);
  let hasHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === "host") hasHost = true;
    else if (name === "transfer-encoding" && /(?:^|,)\s*chunked\s*$/i.test(raw[i + 1]!)) out.push(raw[i]!, raw[i + 1]!);
  }
  return hasHost ? out : ["Host", host, ...out];
}
