import { splitShellWords } from "./split-shell-words.js";

/** An HTTP request read from a curl command or a raw request: header names in lower case. */
export interface RequestData {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body exactly as it would be sent, when there is one. */
  body?: string;
}

export type ParsedRequest = { ok: true; request: RequestData } | { ok: false; message: string };

/** curl options that take a value (short letters and long names); all others are flags. */
const SHORT_WITH_VALUE = new Set("HdXuAebowmxFTEKrYyzCcQ".split(""));
const LONG_WITH_VALUE = new Set(
  ("header data data-raw data-binary data-ascii data-urlencode json request url user user-agent referer cookie cookie-jar " +
    "output write-out max-time connect-timeout proxy form form-string upload-file cert cacert key resolve interface range " +
    "retry retry-delay retry-max-time limit-rate config oauth2-bearer aws-sigv4 max-redirs proto proto-redir connect-to " +
    "dns-servers unix-socket http-version ciphers trace trace-ascii stderr time-cond").split(" "),
);
const BODY_OPTIONS = new Set(["d", "data", "data-raw", "data-binary", "data-ascii", "data-urlencode", "json"]);

interface CurlState {
  method?: string;
  url?: string;
  headers: Record<string, string>;
  bodies: string[];
  json: boolean;
}

function toDataValue(option: string, value: string): string | { problem: string } {
  if (option === "data-urlencode") {
    const eq = value.indexOf("=");
    try {
      return eq < 0 ? encodeURIComponent(value) : value.slice(0, eq + 1) + encodeURIComponent(value.slice(eq + 1));
    } catch {
      // encodeURIComponent throws URIError on a lone surrogate (a $'\uD800' escape).
      return { problem: "the --data-urlencode value holds a lone UTF-16 surrogate (such as $'\\uD800'), which has no UTF-8 form to encode" };
    }
  }
  if (option !== "data-raw" && value.startsWith("@")) {
    return { problem: `the body is read from the file "${value.slice(1)}" (--${option} @file); paste the body itself, e.g. with --body` };
  }
  return value;
}

/** Applies one option with its value; returns a problem text when it cannot be followed. */
function applyOption(state: CurlState, option: string, value: string): string | undefined {
  if (option === "H" || option === "header") {
    const m = /^([^:;]+)([:;])\s*(.*)$/s.exec(value);
    if (!m) return `the header "${value.slice(0, 40)}" is not "Name: value"`;
    // Defined, not assigned: a header named __proto__ is a header like any other (an assignment would be dropped).
    Object.defineProperty(state.headers, m[1]!.trim().toLowerCase(), { value: m[2] === ";" ? "" : m[3]!, enumerable: true, writable: true, configurable: true });
  } else if (option === "X" || option === "request") {
    state.method = value.toUpperCase();
  } else if (option === "url") {
    state.url = value;
  } else if (option === "A" || option === "user-agent") {
    state.headers["user-agent"] = value;
  } else if (option === "F" || option === "form" || option === "form-string" || option === "T" || option === "upload-file") {
    return "multipart forms and file uploads are not supported; pass the values with flags instead";
  } else if (BODY_OPTIONS.has(option)) {
    const data = toDataValue(option === "d" ? "data" : option, value);
    if (typeof data !== "string") return data.problem;
    state.bodies.push(data);
    if (option === "json") state.json = true;
  }
  return undefined;
}

/**
 * Reads a curl command as copied from a browser, Postman, Apifox or a terminal: the URL, `-X`,
 * `-H/--header`, and the body from `-d/--data/--data-raw/--data-binary/--json` (several are joined
 * with `&`, as curl does). Other options are skipped.
 */
export function parseCurl(text: string): ParsedRequest {
  const split = splitShellWords(text.trim().replace(/^\$\s+/, ""));
  if (!split.ok) return { ok: false, message: `Failed to read the curl command: ${split.message}.` };
  const words = split.words;
  if (words[0] !== "curl" && words[0] !== "curl.exe") {
    return { ok: false, message: 'Failed to read the curl command: it does not start with "curl" (Windows cmd ^-escaped commands are not supported; copy as bash).' };
  }
  const state: CurlState = { headers: {}, bodies: [], json: false };
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    let option: string | undefined;
    let value: string | undefined;
    if (w.startsWith("--")) {
      option = w.slice(2);
      if (!LONG_WITH_VALUE.has(option)) continue;
      value = words[++i];
    } else if (w.startsWith("-") && w.length > 1) {
      // A bundle such as -sSL or -XPOST: the first letter that takes a value takes the rest.
      for (let j = 1; j < w.length; j++) {
        if (SHORT_WITH_VALUE.has(w[j]!)) {
          option = w[j]!;
          value = j + 1 < w.length ? w.slice(j + 1) : words[++i];
          break;
        }
      }
      if (!option) continue;
    } else {
      state.url ??= w;
      continue;
    }
    if (value === undefined) return { ok: false, message: `Failed to read the curl command: the option ${w} has no value.` };
    const problem = applyOption(state, option, value);
    if (problem) return { ok: false, message: `Failed to read the curl command: ${problem}.` };
  }
  if (!state.url) return { ok: false, message: "Failed to read the curl command: it has no URL." };
  if (state.json) {
    state.headers["content-type"] ??= "application/json";
    state.headers.accept ??= "application/json";
  }
  const body = state.bodies.length > 0 ? state.bodies.join("&") : undefined;
  const method = state.method ?? (body !== undefined ? "POST" : "GET");
  return { ok: true, request: body !== undefined ? { method, url: state.url, headers: state.headers, body } : { method, url: state.url, headers: state.headers } };
}
