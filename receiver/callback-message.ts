/**
 * A pushed message, as documented: `messageType`, `messageBody`, `messagePlatform`
 * (0 Taobao, 1 1688) and `timestamp` (push time, format not documented). The 1688 page marks
 * `messagePlatform` and `timestamp` nullable, so both may be null or absent here.
 * Per-messageType types will come from `generated/`.
 */
export interface CallbackMessage<Body = Record<string, unknown>> {
  messageType: string;
  messageBody: Body;
  messagePlatform?: 0 | 1 | null;
  timestamp?: string | number | null;
  [member: string]: unknown;
}

/** Problems with the generic message shape (empty when it has one). Extra members are allowed. */
export function checkCallbackMessage(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["the message must be a JSON object"];
  const m = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof m.messageType !== "string" || m.messageType === "") problems.push("messageType must be a non-empty string");
  if (typeof m.messageBody !== "object" || m.messageBody === null || Array.isArray(m.messageBody)) {
    problems.push("messageBody must be an object");
  }
  if (m.messagePlatform !== undefined && m.messagePlatform !== null && m.messagePlatform !== 0 && m.messagePlatform !== 1) {
    problems.push("messagePlatform must be 0 (Taobao) or 1 (1688)");
  }
  if (m.timestamp !== undefined && m.timestamp !== null && typeof m.timestamp !== "string" && typeof m.timestamp !== "number") {
    problems.push("timestamp must be a string or a number");
  }
  return problems;
}

export function isCallbackMessage(value: unknown): value is CallbackMessage {
  return checkCallbackMessage(value).length === 0;
}
