import type { ApiError } from "../checks/find-api-error.js";
import { PANDAPON_ERRORS } from "../protocol/pandapon-error-table.js";
import { TOP_ERRORS } from "../protocol/top-error-table.js";

/** The mock's refusals of an action on an entity (its default codes): not allowed in the state, a broken business rule. */
const PANDAPON_CODES = new Set([PANDAPON_ERRORS.NOT_ALLOWED_IN_STATE.code, PANDAPON_ERRORS.BUSINESS_RULE_BROKEN.code].map(String));
const TOP_SUB_CODES = new Set<string>([TOP_ERRORS.NOT_ALLOWED_IN_STATE.subCode, TOP_ERRORS.BUSINESS_RULE_BROKEN.subCode]);

/**
 * Whether an error answer is a stateful mock refusing a request on an entity (the entity's state
 * does not allow it, or the request breaks one of its business rules): a right answer in the
 * protocol's error shape, which says nothing about the success shape. Recognised by the mock's
 * default codes (PandaPon 40901 and 40003; TOP code 15 with isv.status-not-allowed or
 * isv.business-rule-broken).
 */
export function isEntityRefusal(error: ApiError): boolean {
  return error.path === "code" ? PANDAPON_CODES.has(error.code) : error.code === "15" && error.subCode !== undefined && TOP_SUB_CODES.has(error.subCode);
}
