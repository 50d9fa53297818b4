import type { Operation } from "./catalog.js";
import type { JsonSchema } from "./operation.js";

/**
 * PandaPon's system parameters as OpenAPI security schemes: each is a value the caller sends with
 * every request (a header, or a query parameter for the warehouse operations), so each is an
 * apiKey scheme, and one security requirement names all those a request must carry.
 */
export const SECURITY_SCHEMES = {
  AccessKey: {
    type: "apiKey",
    in: "header",
    name: "access-key",
    description: "The AccessKey PandaPon assigns to the developer (console, AccessKey管理). Signed.",
  },
  Timestamp: {
    type: "apiKey",
    in: "header",
    name: "timestamp",
    description:
      "Request time as a UTC timestamp, at most 600 s from the server's clock. Signed. The docs name no unit; their example has 13 digits, epoch milliseconds, which is what the mock expects.",
  },
  NonceStr: {
    type: "apiKey",
    in: "header",
    name: "nonce-str",
    description:
      "A random string of 32 characters, new for every request (the mock refuses one seen inside the time window). Signed. Required in the development manual, optional on the API pages, absent from the zh v2 pages: hence a second security requirement without it.",
  },
  UserId: {
    type: "apiKey",
    in: "header",
    name: "user-id",
    description: "For sub-account permission control. Not signed.",
  },
  Signature: {
    type: "apiKey",
    in: "header",
    name: "signature",
    description:
      "The request signature, computed for each request from access-key, timestamp and nonce-str (the documented sign inputs) and the AccessSecret; the documented example is 32 upper-case hex characters. The rule itself is not documented: the mock's default (the sent inputs sorted by name, name=value joined by &, then &key=<AccessSecret>, MD5, upper-case hex) is an assumption and configurable. See the Signatures section of the pandapon-mock README; `pandapon-mock sign` computes it.",
  },
  QueryTimestamp: {
    type: "apiKey",
    in: "query",
    name: "timestamp",
    description:
      "Warehouse-logistics operations (/open/pp/logistics/*): the request time as a query parameter. Its format is not documented; the mock checks it like the timestamp header (epoch milliseconds, ±600 s).",
  },
  QuerySign: {
    type: "apiKey",
    in: "query",
    name: "sign",
    description:
      "Warehouse-logistics operations: the signature as a query parameter. Its rule is not documented; the mock checks it with the same scheme as the signature header (the query timestamp, and access-key and nonce-str headers when sent), keyed by the access-key header when sent, else by its first configured key.",
  },
} as const;

export type SecuritySchemeName = keyof typeof SECURITY_SCHEMES;
type Requirement = Partial<Record<SecuritySchemeName, []>>;

const HEADER_SIGNED: Requirement[] = [
  { AccessKey: [], Timestamp: [], NonceStr: [], UserId: [], Signature: [] },
  { AccessKey: [], Timestamp: [], UserId: [], Signature: [] },
];
const QUERY_SIGNED: Requirement[] = [{ QueryTimestamp: [], QuerySign: [] }];

/** The operation's security requirements (alternatives, each a set of schemes sent together). */
export function toOpenApiSecurity(operation: Operation): Requirement[] {
  return operation.meta.auth === "query-sign" ? QUERY_SIGNED : HEADER_SIGNED;
}

/** The security schemes the given requirements name, for `components.securitySchemes`. */
export function toSecuritySchemes(requirements: Iterable<Requirement>): JsonSchema {
  const used = new Set([...requirements].flatMap((r) => Object.keys(r) as SecuritySchemeName[]));
  return Object.fromEntries(Object.entries(SECURITY_SCHEMES).filter(([name]) => used.has(name as SecuritySchemeName)));
}
