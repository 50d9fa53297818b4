import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCurl } from "../client/build-curl.js";
import type { ParsedRequest } from "../client/parse-curl.js";
import { parseCurl } from "../client/parse-curl.js";
import { parseHttpRequest } from "../client/parse-http-request.js";
import { splitShellWords } from "../client/split-shell-words.js";

/**
 * The parsers of user-pasted text (the signature tools and the CLI read curl commands and raw HTTP
 * requests with them) on arbitrary and adversarial text: they answer `{ ok: false, message }` or a
 * request, never throw, never pollute a prototype, and stay linear on 100 KB inputs.
 */

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function weighted<T>(...choices: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

function expectPrototypeIntact(context: string): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort(), context).toEqual(PROTOTYPE_KEYS);
  expect((({}) as Record<string, unknown>).polluted, context).toBeUndefined();
}

/** Calls `parse`; a throw fails with the input named. */
function run<T>(parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (error) {
    throw new Error(`${parse.name} threw on ${JSON.stringify(text.slice(0, 300))} (${text.length} characters): ${String(error)}`, { cause: error });
  }
}

function expectParsedRequest(result: ParsedRequest, context: string): void {
  if (!result.ok) {
    expect(typeof result.message, context).toBe("string");
    expect(result.message.length, context).toBeGreaterThan(0);
    expect(result.message.length, context).toBeLessThanOrEqual(1_000);
    return;
  }
  const { request } = result;
  expect(typeof request.method, context).toBe("string");
  expect(typeof request.url, context).toBe("string");
  for (const value of Object.values(request.headers)) expect(typeof value, context).toBe("string");
  if (request.body !== undefined) expect(typeof request.body, context).toBe("string");
}

// ── Texts ───────────────────────────────────────────────────────────────────────────────────

/** Pieces that trip a shell-word splitter: quotes of every kind, escapes, $'…' escapes with bad code points, continuations. */
const shellPiece = fc.constantFrom(
  "'", '"', "\\", "$'", "$", "`", " ", "\t", "\n", "\r\n", "\\\n", "\\\r\n", "'a b'", '"a b"', '"\\""', "$'\\n'", "$'\\x41'", "$'\\u4e2d'", "$'\\U0001F600'",
  "$'\\UFFFFFFFF'", "$'\\U00110000'", "$'\\uD800'", "$'\\x'", "$'\\777'", "$'\\c'", "$'\\", "\\'", "\u0000", "中", "😀", "\ud800", "#", ";", "|", "&&", "$(x)", "${x}",
);
const hostileWord = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "@file", "@", "-", "--", "=", "%", "%ZZ", "http://x/y?a=1&b=2", "https://api.pandapon.com/alibaba/refund/info");
const curlOption = fc.constantFrom("-H", "--header", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-X", "--request", "--url", "-A", "-F", "-T", "-u", "-sSL", "-XPOST", "-HX-A:1", "--compressed", "-k", "--location", "-b", "--cookie", "-o", "--config");
const headerValue = weighted(
  [3, fc.tuple(fc.constantFrom("content-type", "Content-Type", "__proto__", "constructor", "toString", "hasOwnProperty", "signature", "x-a", "", " "), fc.constantFrom(":", ";", ": ", ":\t"), fc.string({ maxLength: 12 })).map(([name, sep, value]) => `${name}${sep}${value}`)],
  [1, fc.string({ maxLength: 12 })],
);
const quoted = (text: string, how: number) => (how === 0 ? `'${text.replace(/'/g, `'\\''`)}'` : how === 1 ? JSON.stringify(text) : how === 2 ? `$'${text.replace(/[\\']/g, "\\$&")}'` : text);
const curlWord = weighted(
  [4, curlOption],
  [3, fc.tuple(headerValue, fc.integer({ min: 0, max: 3 })).map(([text, how]) => quoted(text, how))],
  [2, fc.tuple(fc.oneof(fc.string({ maxLength: 16 }), hostileWord), fc.integer({ min: 0, max: 3 })).map(([text, how]) => quoted(text, how))],
  [2, fc.array(shellPiece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join(""))],
  [1, fc.string({ unit: "binary", maxLength: 10 })],
);
/** Curl-like commands (mostly starting with curl), with hostile words, options without values and broken quotes. */
const curlText = fc
  .tuple(fc.constantFrom("curl", "curl", "curl", "curl.exe", "$ curl", "  curl", "CURL", "wget", ""), fc.array(curlWord, { maxLength: 10 }), fc.constantFrom(" ", " \\\n  ", "\t", " \\\r\n "))
  .map(([start, words, gap]) => [start, ...words].join(gap));

const httpHeaderLine = weighted(
  [3, fc.tuple(fc.constantFrom("Content-Type", "content-length", "Content-Length", "__proto__", "constructor", "toString", "signature", "Host", "", " x"), fc.constantFrom(":", ": ", " : "), fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("0", "5", "-1", "1e3", "99999999999999999999", "12abc", " 3 "))).map(([n, s, v]) => `${n}${s}${v}`)],
  [1, fc.string({ maxLength: 20 })],
);
/** Raw requests: request lines right and wrong, header lines with prototype names and bad lengths, any line breaks, any body. */
const httpText = fc
  .tuple(
    fc.constantFrom("", " ", "\n", "\r\n\r\n", "\uFEFF"),
    fc.oneof(fc.constantFrom("POST /alibaba/refund/info HTTP/1.1", "GET /x?a=1 HTTP/1.0", "GET / HTTP/2", "PATCH /x", "get /x HTTP/1.1", "POST  /x  HTTP/1.1", "POST", "/x HTTP/1.1", "POST /x HTTP/9.9.9", "POST /x HTTP/1.1 extra"), fc.string({ maxLength: 20 })),
    fc.array(httpHeaderLine, { maxLength: 5 }),
    fc.constantFrom("\r\n", "\n", "\r"),
    fc.oneof(fc.constantFrom("", "{}", '{"refundId":"TQ1"}\n', "中文😀", "\ud800", "a\r\n\r\nb"), fc.string({ maxLength: 30 }), fc.string({ unit: "binary", maxLength: 30 })),
    fc.boolean(),
  )
  .map(([lead, line, headers, eol, body, blank]) => `${lead}${[line, ...headers].join(eol)}${blank ? eol + eol : eol}${body}`);

const anyText = weighted<string>(
  [2, fc.string({ maxLength: 60 })],
  [2, fc.string({ unit: "binary", maxLength: 60 })],
  [2, fc.array(fc.oneof(shellPiece, hostileWord, curlOption), { maxLength: 12 }).map((parts) => parts.join(""))],
);

describe("the pasted-text parsers on hostile text", () => {
  it("splitShellWords answers words or a message, never throws", () => {
    fc.assert(
      fc.property(fc.oneof(curlText, anyText), (text) => {
        const result = run(splitShellWords, text);
        if (result.ok) for (const word of result.words) expect(typeof word).toBe("string");
        else expect(result.message.length).toBeGreaterThan(0);
        expectPrototypeIntact(text);
      }),
      { seed: 20250520, numRuns: 4_000 },
    );
  });

  it("parseCurl answers a request or a message, never throws, and keeps every header it was given as its own member", () => {
    fc.assert(
      fc.property(fc.oneof(curlText, anyText), (text) => {
        const result = run(parseCurl, text);
        const context = JSON.stringify(text.slice(0, 300));
        expectParsedRequest(result, context);
        expectPrototypeIntact(context);
        if (!result.ok) return;
        // Every -H the shell words hold is a member of the headers (prototype names included): a -H
        // after a word that is no option (the URL, a value), so that it is not itself an option's value.
        const split = splitShellWords(text.trim().replace(/^\$\s+/, ""));
        if (!split.ok) return;
        const words = split.words;
        for (let i = 1; i < words.length - 1; i++) {
          if ((words[i] !== "-H" && words[i] !== "--header") || words[i - 1]!.startsWith("-")) continue;
          const m = /^([^:;]+)[:;]/.exec(words[i + 1]!);
          if (m) expect(Object.hasOwn(result.request.headers, m[1]!.trim().toLowerCase()), `${context}: ${m[1]}`).toBe(true);
          i++;
        }
      }),
      { seed: 20250521, numRuns: 4_000 },
    );
  });

  it("parseCurl reads back what buildCurl wrote, whatever the method, URL, header names and values and body", () => {
    const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 20 }), hostileWord);
    const name = fc.oneof(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/), fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"));
    fc.assert(
      fc.property(
        fc.constantFrom("GET", "POST", "PUT"),
        text.filter((url) => url.trim() !== "" && !url.startsWith("-")),
        fc.uniqueArray(fc.tuple(name, text.filter((v) => v.trim() === v && !/[\r\n]/.test(v))), { selector: ([n]) => n.toLowerCase(), maxLength: 4 }),
        fc.option(text, { nil: undefined }),
        (method, url, headers, body) => {
          const command = buildCurl({ method, url, headers: Object.fromEntries(headers), ...(body !== undefined ? { body } : {}) });
          const result = run(parseCurl, command);
          expect(result.ok, command).toBe(true);
          if (!result.ok) return;
          expect(result.request.method, command).toBe(method);
          expect(result.request.url, command).toBe(url);
          expect(result.request.body, command).toBe(body);
          for (const [n, v] of headers) expect(Object.hasOwn(result.request.headers, n.toLowerCase()) && result.request.headers[n.toLowerCase()], command).toBe(v);
          expectPrototypeIntact(command);
        },
      ),
      { seed: 20250522, numRuns: 2_000 },
    );
  });

  it("parseHttpRequest answers a request or a message, never throws, and keeps every header line as its own member", () => {
    fc.assert(
      fc.property(fc.oneof(httpText, anyText), (text) => {
        const result = run(parseHttpRequest, text);
        const context = JSON.stringify(text.slice(0, 300));
        expectParsedRequest(result, context);
        expectPrototypeIntact(context);
        if (!result.ok) return;
        const head = text.replace(/^\s+/, "").split(/\r?\n\r?\n/)[0]!;
        // A head without the empty line after it loses its final line break, as the parser reads it.
        for (const line of head.split(/\r?\n/).slice(1).filter((l) => l !== "")) {
          const name = line.slice(0, line.indexOf(":")).trim().toLowerCase();
          expect(Object.hasOwn(result.request.headers, name), `${context}: ${name}`).toBe(true);
        }
      }),
      { seed: 20250523, numRuns: 4_000 },
    );
  });

  it("stays linear: 100 KB of adversarial text is read within a second by each parser (quadratic would take minutes)", () => {
    const n = 100_000;
    const inputs: Array<[string, string]> = [
      ["quotes", "curl " + "'a".repeat(n / 2)],
      ["double quotes", 'curl "' + "\\a".repeat(n / 2)],
      ["ansi escapes", "curl $'" + "\\x4".repeat(n / 3)],
      ["ansi octal", "curl $'" + "\\7".repeat(n / 2) + "'"],
      ["backslashes", "curl " + "\\".repeat(n)],
      ["continuations", "curl " + "\\\n".repeat(n / 2)],
      ["spaces", "curl" + " ".repeat(n) + "x"],
      ["options", "curl " + "-H ".repeat(n / 3)],
      ["bundled options", "curl -" + "s".repeat(n) + " http://x"],
      ["header without colon", "curl -H '" + "a".repeat(n) + "' http://x"],
      ["header of semicolons", "curl -H '" + "a;".repeat(n / 2) + "' http://x"],
      ["many headers", "curl http://x " + "-H 'a: b' ".repeat(n / 10)],
      ["many bodies", "curl http://x " + "-d a ".repeat(n / 6)],
      ["urlencode", "curl http://x --data-urlencode '" + "=".repeat(n) + "'"],
      ["http spaces", " ".repeat(n) + "GET /x HTTP/1.1\r\n\r\n"],
      ["http request line", "GET " + "/a ".repeat(n / 3)],
      ["http request line spaces", "GET" + " ".repeat(n / 2) + "x" + " ".repeat(n / 2) + "y"],
      ["http letters", "A".repeat(n)],
      ["http line breaks", "GET /x HTTP/1.1" + "\r\n".repeat(n / 2)],
      ["http lone line feeds", "GET /x HTTP/1.1\n" + "a:b\n".repeat(n / 4)],
      ["http carriage returns", "GET /x HTTP/1.1\r" + "\r".repeat(n)],
      ["http headers", "GET /x HTTP/1.1\r\n" + "a: b\r\n".repeat(n / 6) + "\r\n"],
      ["http colons", "GET /x HTTP/1.1\r\n" + ":".repeat(n)],
      ["http body", "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n" + "\r\n".repeat(n / 2)],
    ];
    for (const [what, text] of inputs) {
      for (const parse of [splitShellWords, parseCurl, parseHttpRequest] as Array<(text: string) => unknown>) {
        const started = performance.now();
        run(parse, text);
        const ms = performance.now() - started;
        expect(ms, `${parse.name} on ${what} (${text.length} characters): ${Math.round(ms)} ms`).toBeLessThan(1_000);
      }
    }
  });
});
