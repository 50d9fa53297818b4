import type { StateProblem } from "./state/create-state.js";

/** The error both APIs' tables name for a state problem ("bad-request": the request names no valid entity; "fault": the mock's own). */
export type StateErrorKind = "NOT_ALLOWED_IN_STATE" | "BUSINESS_RULE_BROKEN" | "STATE_UNAVAILABLE" | "bad-request" | "fault";

/**
 * An action refused because of the entity's state (or because the entity exists already, or not
 * yet) → not allowed in this state; refused because the request breaks one of the action's rules
 * → a broken business rule; a full or contended store → unavailable, try again.
 */
export function toStateErrorKind(problem: StateProblem): StateErrorKind {
  switch (problem.code) {
    case "refused":
      return problem.refusal === "requirement-not-met" || problem.refusal === "no-target-state" ? "BUSINESS_RULE_BROKEN" : "NOT_ALLOWED_IN_STATE";
    case "bad-id":
      return "bad-request";
    case "full":
    case "busy":
      return "STATE_UNAVAILABLE";
    default:
      return "fault";
  }
}

/** The message of a problem; a refusal by state names the state and the actions it allows. */
export function toStateErrorMessage(problem: StateProblem): string {
  if (problem.code !== "refused" || toStateErrorKind(problem) !== "NOT_ALLOWED_IN_STATE" || !problem.allowed) return problem.message;
  const allowed = problem.allowed.length > 0 ? `it allows ${problem.allowed.join(", ")}` : "it allows no action";
  return `${problem.message.replace(/\.$/, "")} (${allowed}).`;
}
