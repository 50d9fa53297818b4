/** The request header that applies one named rule (by name or id) to that request, whatever its match says. */
export const RULE_HEADER = "x-pandapon-mock-rule";
