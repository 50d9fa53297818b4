import { toJsonText } from "../../protocol/json-wire.js";
import { formatChinaTime } from "../generate/china-time.js";

/** What the outbox keeps of one push: the message (without its push time) and where it goes. */
export interface PushPayload {
  url: string;
  messageType: string;
  messagePlatform: 0 | 1;
  messageBody: unknown;
  /** The entity the message is about (absent for a message sent by hand without one). */
  entity?: { type: string; id: string };
  /** The action whose transition emitted it ("by-hand" for one sent through the admin API). */
  action: string;
  /** The messageType was named by the project (not documented). */
  assumed: boolean;
  /** The push this one re-sends. */
  resendOf?: number;
}

/** Reads a stored payload back (the store gives plain JSON); undefined when it is not one. */
export function readPushPayload(value: unknown): PushPayload | undefined {
  const p = value as Partial<PushPayload> | null;
  if (!p || typeof p !== "object" || typeof p.url !== "string" || typeof p.messageType !== "string") return undefined;
  return p as PushPayload;
}

/**
 * The documented message as sent: `{messageType, messageBody, messagePlatform, timestamp}`, the
 * timestamp (消息推送时间, format not documented) the push time on the virtual clock as
 * yyyy-MM-dd HH:mm:ss China time; 19-digit integers exact.
 */
export function toMessageText(payload: Pick<PushPayload, "messageType" | "messageBody" | "messagePlatform">, at: number): string {
  return toJsonText({ messageType: payload.messageType, messageBody: payload.messageBody, messagePlatform: payload.messagePlatform, timestamp: formatChinaTime(at) });
}
