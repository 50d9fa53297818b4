import { hash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * Who may use the mock's own endpoints (/__mock/*), which read the journal and will change the
 * mock's behaviour. The protocol paths are not guarded here: their signatures authenticate them.
 *
 * - Listening on loopback: only loopback Host names (localhost, 127.0.0.0/8, [::1], any port), so a
 *   web page whose name was re-pointed at 127.0.0.1 (DNS rebinding) is refused.
 * - Listening anywhere else: a token is required (`serve` refuses to start without one).
 * - With a token: `Authorization: Bearer <token>` on every request, compared in constant time.
 * - Always: a state-changing request (POST, PUT, PATCH, DELETE) from a page of another origin is
 *   refused. No CORS header is ever sent, so a foreign page cannot read a GET's answer either.
 */
export interface AdminAccess {
  listenHost: string;
  token?: string;
}

/** A refused request: the status and the `{error}` message (which never holds the token). */
export interface AdminRefusal {
  status: 401 | 403;
  error: string;
}

const LOOPBACK_NAME = /^(?:localhost|127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|\[::1\])(?::\d{1,5})?$/i;
const LOOPBACK_LISTEN = /^(?:localhost|127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|::1|\[::1\])$/i;
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Sec-Fetch-Site values of requests that no other site's page made. */
const OWN_FETCH_SITES = new Set(["same-origin", "none"]);

/** Whether the server listens on a loopback address only (not 0.0.0.0 or ::, which are every address). */
export function isLoopbackListenHost(host: string): boolean {
  return LOOPBACK_LISTEN.test(host);
}

/** Why `serve` must not start with these settings, or undefined when it may. */
export function checkAdminExposure(listenHost: string, token: string | undefined): string | undefined {
  if (token || isLoopbackListenHost(listenHost)) return undefined;
  return (
    `refusing to listen on ${listenHost} without an admin token: anyone who reaches it could read the journal and drive the mock through /__mock/*. ` +
    "Set one with --admin-token <token> or PANDAPON_MOCK_ADMIN_TOKEN (or adminToken in the config file), or listen on 127.0.0.1"
  );
}

function toDigest(text: string): Buffer {
  return hash("sha256", text, "buffer");
}

/** Builds the guard: a function from a request's method and headers to a refusal, or undefined to let it through. */
export function createAdminGuard(access: AdminAccess): (method: string, path: string, headers: IncomingHttpHeaders) => AdminRefusal | undefined {
  const onLoopback = isLoopbackListenHost(access.listenHost);
  const tokenDigest = access.token ? toDigest(access.token) : undefined;
  return (method, path, headers) => {
    const refused = (status: AdminRefusal["status"], reason: string): AdminRefusal => ({ status, error: `Refused ${method} ${path.slice(0, 100)}: ${reason}.` });
    const host = headers.host ?? "";
    if (onLoopback && !LOOPBACK_NAME.test(host)) {
      return refused(403, `Host "${host.slice(0, 100)}" is not a loopback name (localhost, 127.0.0.0/8, [::1]); the mock listens on loopback and serves its own endpoints to local names only`);
    }
    if (!onLoopback && !tokenDigest) {
      return refused(403, `the mock listens on ${access.listenHost} without an admin token, so its own endpoints are closed: restart it with --admin-token`);
    }
    if (tokenDigest) {
      const credentials = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? "")?.[1];
      if (credentials === undefined) return refused(401, "send Authorization: Bearer <admin token> (the token given to the mock with --admin-token or PANDAPON_MOCK_ADMIN_TOKEN)");
      if (!timingSafeEqual(toDigest(credentials), tokenDigest)) return refused(401, "the bearer token does not match the mock's admin token");
    }
    if (STATE_CHANGING.has(method) && isCrossOrigin(headers, host)) {
      return refused(403, "a cross-origin request (another page's Origin, or Sec-Fetch-Site other than same-origin) may not change the mock; send it from a tool, without Origin");
    }
    return undefined;
  };
}

/** A request a page of another origin made: by Sec-Fetch-Site, or by an Origin that is not `http(s)://<Host>`. */
function isCrossOrigin(headers: IncomingHttpHeaders, host: string): boolean {
  const site = headers["sec-fetch-site"];
  if (site !== undefined && !OWN_FETCH_SITES.has(String(site).toLowerCase())) return true;
  const origin = headers.origin?.toLowerCase();
  if (origin === undefined) return false;
  const own = host.toLowerCase();
  return origin !== `http://${own}` && origin !== `https://${own}`;
}
