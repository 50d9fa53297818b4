import type { Operation } from "../schemas/catalog.js";
import type { Violation } from "../schemas/violations.js";
import type { ReadResponseOptions } from "./read-response.js";
import { readResponse } from "./read-response.js";

/**
 * The violations of one response of `operation`: give the raw body (a string: JSON is parsed
 * losslessly, TOP XML converted by the schema) or a parsed value. Failures have severity `error`
 * (missing or mistyped members, values outside documented enums, `api-error` for an error
 * envelope, `parse`); drift and precision hazards are warnings.
 */
export function checkResponse(operation: string | Operation, payload: unknown, options: ReadResponseOptions = {}): Violation[] {
  return readResponse(operation, payload, options).violations;
}
