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

/**
 * A copy of `text` that holds on to nothing else. V8 makes a slice of a string (a substring,
 * a `split` part, a parameter read from a body) point into the whole original: kept in a store,
 * a 23-character method name read from a 1 MB form body keeps the 1 MB alive. Adding a character
 * and slicing it off again makes V8 copy the characters into a string of their own.
 */
export function toOwnText(text: string): string {
  return (text + " ").slice(0, -1);
}
