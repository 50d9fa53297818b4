/** Most characters of one request value (a path, a parameter) an error message repeats. */
export const ECHO_LIMIT = 200;
/** Most characters of one error message, and of a journal entry's message. */
export const MESSAGE_LIMIT = 4_096;

/**
 * `text` cut to `limit` characters, saying how many were left out — `abc…(1234 more characters)` —
 * so an error answer never grows with the request it describes. A surrogate pair is never split.
 */
export function toCappedText(text: string, limit: number = ECHO_LIMIT): string {
  if (text.length <= limit) return text;
  const code = text.charCodeAt(limit - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
  return `${text.slice(0, end)}…(${text.length - end} more characters)`;
}
