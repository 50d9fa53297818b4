/** Where the TOP gateway is served: the path TOP's SDKs and docs use. */
export const TOP_GATEWAY_PATH = "/router/rest";

/** `/router/rest` in another case or with trailing slashes: answered in TOP's error shape, not as a PandaPon path. */
const TOP_GATEWAY_VARIANT = /^\/router\/rest\/*$/i;

/**
 * Whether a request path goes to the TOP pipeline: the gateway path, or a misspelling of it that
 * the pipeline answers with its own error. Cheap for PandaPon paths (none starts with `/r`), which
 * pass through here on every request.
 */
export function isTopGatewayPath(path: string): boolean {
  if (path === TOP_GATEWAY_PATH) return true;
  const second = path.charCodeAt(1) | 0x20;
  return second === 0x72 && TOP_GATEWAY_VARIANT.test(path);
}
