/**
 * A signed request of a warehouse-logistics operation (`auth: "query-sign"`): its pages document
 * `timestamp` and `sign` as query parameters, and no access-key, user-id or signature header. The
 * signature is the same as the headers' (same scheme, same signed values); the `access-key` header
 * stays so that a server with several keys knows which secret to check with (the mock does so), and
 * `nonce-str` stays when sent (the v2 pages list it as an optional header).
 */
export function toQuerySigned(signed: Readonly<Record<string, string>>): { headers: Record<string, string>; query: { timestamp: string; sign: string } } {
  const headers: Record<string, string> = { "access-key": signed["access-key"]! };
  if (signed["nonce-str"]) headers["nonce-str"] = signed["nonce-str"];
  return { headers, query: { timestamp: signed.timestamp!, sign: signed.signature! } };
}
