import type { MatcherState } from "vitest";
import type { Catalog } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import { checkRequest } from "../checks/check-request.js";
import { toPlainValue } from "../protocol/parse-lossless.js";
import { readResponse } from "../checks/read-response.js";

export type ContractDirection = "request" | "response";

export interface ContractMatcherOptions {
  /** Fail on warnings too (drift, precision). Default false: warnings are listed, not failed. */
  failOnWarnings?: boolean;
  catalog?: Catalog;
}

/** The value at a dotted violation path (`data.list[0].id`), for showing what was received. */
function getAtPath(value: unknown, path: string): unknown {
  if (path === "") return value;
  let here = value;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (typeof here !== "object" || here === null) return undefined;
    here = (here as Record<string, unknown>)[part];
  }
  return here;
}

function describeReceived(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(toPlainValue(value, "string"));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function toDiff(state: MatcherState, violations: readonly Violation[], document: unknown): string[] {
  const { EXPECTED_COLOR, RECEIVED_COLOR } = state.utils;
  return violations.flatMap((v) => [
    `  ${v.severity === "error" ? "✗" : "!"} ${v.path || "(root)"}  [${v.rule}]`,
    EXPECTED_COLOR(`      - expected: ${v.message}`),
    RECEIVED_COLOR(`      + received: ${describeReceived(getAtPath(document, v.path))}`),
  ]);
}

/**
 * `expect(body).toSatisfyContract("/alibaba/refund/info")`: the body (raw text or parsed value) is
 * a valid response (or, with `"request"`, request) of the operation. Install with
 * `expect.extend(contractMatchers)`; the failure message lists every violation with its path,
 * what the docs expect and what was received.
 */
export const contractMatchers = {
  toSatisfyContract(
    this: MatcherState,
    received: unknown,
    operation: string,
    direction: ContractDirection = "response",
    options: ContractMatcherOptions = {},
  ) {
    const catalog = options.catalog ? { catalog: options.catalog } : {};
    const reading =
      direction === "request"
        ? { violations: checkRequest(operation, received, catalog), document: received }
        : readResponse(operation, received, catalog);
    const document = typeof reading.document === "string" ? undefined : reading.document;
    const failing = reading.violations.filter((v) => v.severity === "error" || options.failOnWarnings === true);
    const warnings = reading.violations.filter((v) => !failing.includes(v));
    const pass = failing.length === 0;
    const subject = `the ${direction} contract of ${operation}`;
    return {
      pass,
      message: () => {
        if (pass) {
          const note = warnings.length > 0 ? ` (with ${warnings.length} warning(s))` : "";
          return `expected the payload not to satisfy ${subject}, but it does${note}`;
        }
        const lines = [`expected the payload to satisfy ${subject}; ${failing.length} violation(s):`, ...toDiff(this, failing, document)];
        if (warnings.length > 0) lines.push(`  warnings (not failing):`, ...toDiff(this, warnings, document));
        return lines.join("\n");
      },
    };
  },
};

export interface ContractMatchers<R = unknown> {
  /** The payload (raw text or parsed value) is a valid `direction` of `operation`; warnings fail only with `failOnWarnings`. */
  toSatisfyContract(operation: string, direction?: ContractDirection, options?: ContractMatcherOptions): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends ContractMatchers<T> {}
}
