export type { CallbackMessage } from "./callback-message.js";
export { checkCallbackMessage, isCallbackMessage } from "./callback-message.js";
export { parsePushTimestamp } from "./parse-push-timestamp.js";
export type { CallbackProblem, CallbackVerification, VerifyCallbackInput } from "./verify-callback.js";
export { DEFAULT_MAX_PUSH_AGE_MS, DEFAULT_MAX_PUSH_AHEAD_MS, verifyCallback } from "./verify-callback.js";
export type { CallbackFailure, CallbackMiddlewareOptions } from "./callback-middleware.js";
export { createCallbackMiddleware } from "./callback-middleware.js";
