/**
 * TOP's flow-control error, code 7 "App Call Limited" (应用调用次数超限，包含调用频率超限: calls over the
 * app's count, the call rate included), with the sub codes TOP's old server constants name for it
 * (seen in public code; TOP's error page documents the code, not these sub codes). Rules name them
 * (`"answer": {"top": "APP_CALL_LIMITED"}`) or give any sub_code of their own.
 */
export const TOP_LIMIT_ERRORS = {
  APP_CALL_LIMITED: { code: 7, msg: "App Call Limited", subCode: "isv.access-limited-by-app-access-count" },
  API_CALL_LIMITED: { code: 7, msg: "App Call Limited", subCode: "isv.access-limited-by-api-access-count" },
  APP_API_CALL_LIMITED: { code: 7, msg: "App Call Limited", subCode: "isv.access-limited-by-app-api-access-count" },
} as const;
