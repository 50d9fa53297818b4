import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerIdentifySignature } from "../cli/commands/identify-signature.js";
import { createCommandRunner } from "./helpers/command-runner.js";
import { buildCurl } from "../client/build-curl.js";
import { parseCurl } from "../client/parse-curl.js";
import { parseHttpRequest } from "../client/parse-http-request.js";
import type { SignatureScheme, SignedRequest } from "../signing/index.js";
import { DEFAULT_SCHEME, DIGEST_ALGORITHMS, describeScheme, identifySignature, signPandapon } from "../signing/index.js";

/** mulberry32: a small seeded PRNG, so every run tries the same secrets and values. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const toText = (random: () => number, alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
const HEX = "0123456789abcdef";

function createRequestValues(random: () => number) {
  return {
    secret: toText(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=", 8 + Math.floor(random() * 40)),
    accessKey: toText(random, HEX, 32),
    timestamp: String(1_715_000_000_000 + Math.floor(random() * 1e10)),
    nonceStr: toText(random, HEX, 32),
    body: JSON.stringify({ refundId: `TQ${toText(random, "0123456789", 12)}`, note: "退款 & more" }),
  };
}

function toSignedRequest(scheme: SignatureScheme, v: ReturnType<typeof createRequestValues>): SignedRequest {
  const headers = { "access-key": v.accessKey, "nonce-str": v.nonceStr, timestamp: v.timestamp };
  const { signature } = signPandapon(scheme, { headers, body: v.body }, v.secret);
  return { accessKey: v.accessKey, timestamp: v.timestamp, nonceStr: v.nonceStr, body: v.body, signature };
}

/** The form identify-signature reports: sorted fields sorted, secretName only meaningful for `pair`. */
function toCanonical(scheme: SignatureScheme): SignatureScheme {
  return {
    ...scheme,
    fields: scheme.order === "sorted" ? [...scheme.fields].sort() : scheme.fields,
    secretName: scheme.secretPlacement === "pair" ? scheme.secretName : "key",
  };
}

const FIELDS = ["access-key", "nonce-str", "timestamp"];
const PERMUTATIONS = [
  ["access-key", "nonce-str", "timestamp"],
  ["access-key", "timestamp", "nonce-str"],
  ["nonce-str", "access-key", "timestamp"],
  ["nonce-str", "timestamp", "access-key"],
  ["timestamp", "access-key", "nonce-str"],
  ["timestamp", "nonce-str", "access-key"],
];
type Variation = Partial<SignatureScheme>;
const FAMILIES: Record<string, Variation[]> = {
  order: [{ order: "sorted", fields: FIELDS }, ...PERMUTATIONS.map((fields) => ({ order: "listed" as const, fields }))],
  format: (["pairs", "concat", "values"] as const).map((format) => ({ format })),
  separator: ["&", "", ",", "|", "\n", ";"].map((separator) => ({ separator })),
  body: [{ includeBody: false }, { includeBody: true }],
  placement: [
    ...["key", "secret", "accessSecret", "AccessSecret"].map((secretName) => ({ secretPlacement: "pair" as const, secretName })),
    ...(["prefix", "suffix", "both", "none"] as const).map((secretPlacement) => ({ secretPlacement })),
  ],
  algorithm: DIGEST_ALGORITHMS.map((algorithm) => ({ algorithm })),
  case: [{ case: "upper" as const }, { case: "lower" as const }],
};

/** One scheme per value of each dimension, the other dimensions drawn at random (seeded). */
function listFamilyCases(): Array<{ family: string; scheme: SignatureScheme; seed: number }> {
  const cases: Array<{ family: string; scheme: SignatureScheme; seed: number }> = [];
  let seed = 7;
  for (const [family, variations] of Object.entries(FAMILIES)) {
    for (const variation of variations) {
      const random = createRandom(++seed);
      const drawn: Variation = {
        ...pick(random, FAMILIES.order!),
        ...pick(random, FAMILIES.format!),
        ...pick(random, FAMILIES.separator!),
        ...pick(random, FAMILIES.body!),
        ...pick(random, FAMILIES.placement!),
        ...pick(random, FAMILIES.algorithm!),
        ...pick(random, FAMILIES.case!),
      };
      const scheme = { secretName: "key", ...drawn, ...variation } as SignatureScheme;
      // `none` needs an HMAC: keep the dimension under test, adjust the other one.
      if (scheme.secretPlacement === "none" && !scheme.algorithm.startsWith("hmac-")) {
        if (family === "algorithm") scheme.secretPlacement = "suffix";
        else scheme.algorithm = `hmac-${scheme.algorithm}` as SignatureScheme["algorithm"];
      }
      cases.push({ family, scheme, seed });
    }
  }
  return cases;
}

describe("identifySignature over every candidate family", () => {
  const cases = listFamilyCases();

  it("covers every value of every dimension", () => {
    expect(cases).toHaveLength(Object.values(FAMILIES).reduce((n, v) => n + v.length, 0));
    for (const [family, variations] of Object.entries(FAMILIES)) {
      for (const variation of variations) {
        expect(cases.some((c) => Object.entries(variation).every(([k, v]) => JSON.stringify(c.scheme[k as keyof SignatureScheme]) === JSON.stringify(v)))).toBe(
          true,
        );
      }
      expect(cases.filter((c) => c.family === family)).toHaveLength(variations.length);
    }
  });

  for (const { family, scheme, seed } of cases) {
    it(`names exactly the scheme (${family}) ${describeScheme(scheme).replace(/\n/g, "\\n")}, and nothing for a wrong secret`, () => {
      const values = createRequestValues(createRandom(seed * 101));
      const request = toSignedRequest(scheme, values);
      const result = identifySignature(request, values.secret);
      expect(result.matches).toHaveLength(1);
      const match = result.matches[0]!;
      expect([match.scheme, ...match.equivalents]).toContainEqual(toCanonical(scheme));
      expect(match.maskedStringToSign).not.toContain(values.secret);
      // The scheme found signs other requests as the original does.
      const other = createRequestValues(createRandom(seed * 103));
      expect(toSignedRequest(match.scheme, { ...other, secret: values.secret }).signature).toBe(toSignedRequest(scheme, { ...other, secret: values.secret }).signature);

      const wrong = identifySignature(request, values.secret + "x");
      expect(wrong.matches).toEqual([]);
      expect(wrong.tried).toBe(result.tried);
    });
  }

  it("finds a scheme that does not sign a nonce-str that was sent", () => {
    const scheme: SignatureScheme = { ...DEFAULT_SCHEME, fields: ["timestamp", "access-key"], order: "listed", separator: "|" };
    const values = createRequestValues(createRandom(99));
    const result = identifySignature(toSignedRequest(scheme, values), values.secret);
    expect(result.matches.map((m) => m.scheme)).toEqual([scheme]);
    expect(result.matches[0]!.notes).toContain("nonce-str was sent but is not part of the signature.");
  });
});

describe("identifySignature on the docs/protocols.md vectors", () => {
  const base = { accessKey: "58c0201dfdf148eca63cbf6bb5e7cf03", timestamp: "1715669977082" };
  const secret = "demo-secret-please-change";

  it("names the default scheme and collapses the identical listed order into it", () => {
    const result = identifySignature({ ...base, nonceStr: "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b", signature: "D6CCD0D67408AAAD87050EA7E30EFAB7" }, secret);
    expect(result.matches).toHaveLength(1);
    expect(result.matches[0]!.scheme).toEqual(DEFAULT_SCHEME);
    expect(result.matches[0]!.equivalents).toEqual([{ ...DEFAULT_SCHEME, order: "listed" }]);
    expect(result.matches[0]!.maskedStringToSign).toBe(
      "access-key=58c0201dfdf148eca63cbf6bb5e7cf03&nonce-str=5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b&timestamp=1715669977082&key=******",
    );
  });

  it("keeps nonce-str in a sorted scheme found on a request without one, and says so", () => {
    const result = identifySignature({ ...base, signature: "9B2B441EFD068A7BCD9263D1FFFAB027" }, secret);
    expect(result.matches[0]!.scheme).toEqual(DEFAULT_SCHEME);
    expect(result.matches[0]!.notes.join(" ")).toContain("no nonce-str");
  });

  it("tries the documented search space and digests each distinct string once per fitting algorithm", () => {
    const withNonce = { ...base, nonceStr: "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b", signature: "D6CCD0D67408AAAD87050EA7E30EFAB7" };
    // (7 orders of 3 fields + 3 orders without nonce-str) × 3 formats × 6 separators × 2 bodies × 45 placement/algorithm pairs.
    expect(identifySignature({ ...withNonce, body: "{}" }, secret).tried).toBe(16_200);
    expect(identifySignature(withNonce, secret).tried).toBe(8_100);
    expect(identifySignature({ ...base, signature: "9B2B441EFD068A7BCD9263D1FFFAB027" }, secret).tried).toBe(2_430);
    const result = identifySignature({ ...withNonce, body: "{}" }, secret);
    // 2 304 distinct strings (sorted = one listed order); md5 and hmac-md5 fit 32 hex characters, none only hmac-md5.
    expect(result.computed).toBe(4_320);
  });

  it("tries both cases only when the signature has no hex letters", () => {
    const digits = identifySignature({ ...base, signature: "12345678901234567890123456789012" }, secret);
    const upper = identifySignature({ ...base, signature: "9B2B441EFD068A7BCD9263D1FFFAB028" }, secret);
    expect(digits.tried).toBe(2 * upper.tried);
    expect(digits.matches).toEqual([]);
  });

  it("says what to check next when nothing matches", () => {
    const result = identifySignature({ ...base, signature: "9B2B441EFD068A7BCD9263D1FFFAB027" }, "wrong-secret ");
    expect(result.matches).toEqual([]);
    const hints = result.hints.join("\n");
    expect(hints).toContain(`None of the ${result.tried} candidate schemes`);
    expect(hints).toMatch(/secret.*whitespace/);
    expect(hints).toContain("timestamp unit");
    expect(hints).not.toContain("wrong-secret");
  });

  it("points at a signature that is mixed-case, not hex or cut short", () => {
    const mixed = identifySignature({ ...base, signature: "9b2B441EFD068A7BCD9263D1FFFAB027" }, secret);
    expect(mixed.hints[0]).toContain("mixes upper- and lower-case");
    expect(identifySignature({ ...base, signature: "m0TFf2Qz" }, secret).hints[0]).toContain("not hex");
    expect(identifySignature({ ...base, signature: "9B2B441EFD068A7BCD9263D1FFFAB0" }, secret).hints[0]).toContain("30 hex characters");
  });
});

describe("reading a signed request", () => {
  it("reads a browser's bash curl with $'…' quoting, continuations and a bundled -XPOST", () => {
    const text = [
      "curl 'https://api.pandapon.com/alibaba/refund/info' \\",
      "  -H 'access-key: ak' \\",
      '  -H "timestamp: 1715669977082" \\',
      "  --header 'nonce-str;' \\",
      "  -sSL -XPOST --compressed \\",
      "  --data-raw $'{\"note\":\"it\\'s\\\\n\\u00e9\"}'",
    ].join("\n");
    const parsed = parseCurl(text);
    expect(parsed).toEqual({
      ok: true,
      request: {
        method: "POST",
        url: "https://api.pandapon.com/alibaba/refund/info",
        headers: { "access-key": "ak", timestamp: "1715669977082", "nonce-str": "" },
        body: '{"note":"it\'s\\né"}',
      },
    });
  });

  it("reads back exactly what buildCurl writes, quotes and newlines included", () => {
    const request = { method: "POST", url: "http://127.0.0.1:4010/x?a=1&b=2", headers: { "access-key": "k", signature: "S'1" }, body: `{"a":"it's\n$HOME \\ \`x\`"}` };
    const parsed = parseCurl(buildCurl(request));
    expect(parsed).toEqual({ ok: true, request: { ...request, headers: { "access-key": "k", signature: "S'1" } } });
  });

  it("refuses a body read from a file and an unclosed quote, with the reason", () => {
    expect(parseCurl("curl http://x -d @body.json")).toMatchObject({ ok: false, message: expect.stringContaining("body.json") });
    expect(parseCurl("curl 'http://x")).toMatchObject({ ok: false, message: expect.stringContaining("not closed") });
    expect(parseCurl("wget http://x")).toMatchObject({ ok: false });
  });

  it("refuses a $'…' escape beyond Unicode with the reason (String.fromCodePoint threw a RangeError out of parseCurl)", () => {
    for (const escape of ["\\U00110000", "\\UFFFFFFFF"]) {
      expect(parseCurl(`curl http://x -H $'a: ${escape}'`)).toEqual({ ok: false, message: `Failed to read the curl command: the $'…' escape ${escape} is beyond Unicode (U+10FFFF).` });
    }
    expect(parseCurl("curl http://x -H $'a: \\U0010FFFF'")).toMatchObject({ ok: true, request: { headers: { a: "\u{10FFFF}" } } });
  });

  it("keeps a header named __proto__ (or constructor) as a header of its own, in a curl command and a raw request (it was dropped)", () => {
    const curl = parseCurl("curl http://x -H '__proto__: a' -H 'constructor: b'");
    const http = parseHttpRequest("GET /x HTTP/1.1\r\n__proto__: a\r\nconstructor: b\r\n\r\n");
    for (const parsed of [curl, http]) {
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(Object.entries(parsed.request.headers)).toEqual([["__proto__", "a"], ["constructor", "b"]]);
      expect(Object.getPrototypeOf(parsed.request.headers)).toBe(Object.prototype);
    }
  });

  it("refuses a --data-urlencode value with a lone surrogate, with the reason (encodeURIComponent threw a URIError out of parseCurl)", () => {
    expect(parseCurl("curl http://x --data-urlencode $'a=\\uD800'")).toEqual({
      ok: false,
      message: "Failed to read the curl command: the --data-urlencode value holds a lone UTF-16 surrogate (such as $'\\uD800'), which has no UTF-8 form to encode.",
    });
    expect(parseCurl("curl http://x --data-urlencode 'a=中 b'")).toMatchObject({ ok: true, request: { body: "a=%E4%B8%AD%20b" } });
  });

  it("reads a raw HTTP request, cutting the body at Content-Length", () => {
    const text = 'POST /alibaba/refund/info HTTP/1.1\r\nHost: x\r\nAccess-Key: ak\r\nContent-Length: 9\r\n\r\n{"a":"é"}\n';
    expect(parseHttpRequest(text)).toEqual({
      ok: true,
      request: { method: "POST", url: "/alibaba/refund/info", headers: { host: "x", "access-key": "ak", "content-length": "9" }, body: '{"a":"é"' },
    });
    expect(parseHttpRequest("GET /x HTTP/1.1\nsignature: S\n")).toEqual({ ok: true, request: { method: "GET", url: "/x", headers: { signature: "S" } } });
    expect(parseHttpRequest("hello")).toMatchObject({ ok: false });
  });
});

const SECRET = "s3cr3t-Pr0d-9d1f0c2e";
const CUSTOM: SignatureScheme = {
  fields: ["timestamp", "nonce-str", "access-key"],
  order: "listed",
  format: "values",
  separator: "|",
  includeBody: true,
  secretPlacement: "none",
  secretName: "key",
  algorithm: "hmac-sha256",
  case: "lower",
};

function createSignedCurl(): string {
  const headers = { "access-key": "58c0201dfdf148eca63cbf6bb5e7cf03", timestamp: "1715669977082", "nonce-str": "0a1b2c3d4e5f60718293a4b5c6d7e8f9" };
  const body = '{"refundId":"TQ123"}';
  const { signature } = signPandapon(CUSTOM, { headers, body }, SECRET);
  return buildCurl({ method: "POST", url: "http://127.0.0.1:4010/alibaba/refund/info", headers: { ...headers, "user-id": "1", signature }, body });
}

function setup(env: Record<string, string> = {}) {
  return createCommandRunner(registerIdentifySignature, "identify-signature", { env, now: 1_715_669_977_082, nonce: "0".repeat(32) });
}

describe("pandapon-mock identify-signature (in process)", () => {
  it("prints the scheme found in a curl file as config JSON, with the secret masked", async () => {
    const { files, run } = setup({ PANDAPON_SECRET: SECRET });
    files.set("req.sh", createSignedCurl());
    const result = await run("--curl", "req.sh");
    expect(result.exitCode).toBe(0);
    expect(result.out).toContain(describeScheme(CUSTOM));
    expect(result.out).toContain(`"signatureScheme": {`);
    expect(result.out).toContain(`from PANDAPON_SECRET`);
    expect(result.out + result.err).not.toContain(SECRET);
  });

  it("reads the flags, the --file JSON and a raw HTTP request alike", async () => {
    const { files, run } = setup();
    const parsed = parseCurl(createSignedCurl());
    if (!parsed.ok) throw new Error(parsed.message);
    const h = parsed.request.headers;
    files.set("req.json", JSON.stringify({ headers: h, body: parsed.request.body }));
    files.set("req.http", `POST /alibaba/refund/info HTTP/1.1\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${parsed.request.body}\n`);
    const fromFlags = await run(
      "--access-key", h["access-key"]!, "--timestamp", h.timestamp!, "--nonce-str", h["nonce-str"]!,
      "--signature", h.signature!, "--body", parsed.request.body!, "--secret", SECRET, "--json",
    );
    expect(JSON.parse(fromFlags.out).matches[0].signatureScheme).toEqual(CUSTOM);
    for (const input of [["--file", "req.json"], ["--http", "req.http"]]) {
      const again = setup();
      again.files.set(input[1]!, files.get(input[1]!)!);
      const result = await again.run(...input, "--secret", SECRET, "--json");
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.out).matches[0].signatureScheme).toEqual(CUSTOM);
    }
  });

  it("lists as the same string only schemes described differently from the match", async () => {
    const headers = { "access-key": "58c0201dfdf148eca63cbf6bb5e7cf03", timestamp: "1715669977082" };
    const signed = (h: Record<string, string>) => ["--access-key", h["access-key"]!, "--timestamp", h.timestamp!, "--signature", signPandapon(DEFAULT_SCHEME, { headers: h }, "demo-secret-please-change").signature];
    const { run } = setup({ PANDAPON_SECRET: "demo-secret-please-change" });
    // With a nonce the listed order of the default fields is the sorted order: the same scheme, not shown.
    const withNonce = await run(...signed({ ...headers, "nonce-str": "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b" }), "--nonce-str", "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b");
    expect(withNonce.out).toContain(`1. ${describeScheme(DEFAULT_SCHEME)}`);
    expect(withNonce.out).not.toContain("same string for this request");
    // Without one, a listed scheme that never signs a nonce gives the same string: shown, described differently.
    const without = await run(...signed(headers));
    const same = without.out.split("\n").filter((line) => line.includes("same string for this request"));
    expect(same).toEqual([`   same string for this request: 1 more (${describeScheme({ ...DEFAULT_SCHEME, order: "listed", fields: ["access-key", "timestamp"] })})`]);
    expect(same[0]).not.toContain(describeScheme(DEFAULT_SCHEME));
  });

  it("exits 1 saying how many it tried when nothing matches, and 2 on bad input", async () => {
    const none = setup({ PANDAPON_SECRET: "not-the-secret" });
    none.files.set("req.sh", createSignedCurl());
    const result = await none.run("--curl", "req.sh");
    expect(result.exitCode).toBe(1);
    expect(result.out).toMatch(/No signature scheme reproduces the signature \(tried 16200 candidate schemes/);
    expect(result.out).toContain("body bytes");
    expect(result.out).not.toContain("not-the-secret");

    const noSecret = await setup().run("--access-key", "a", "--timestamp", "1", "--signature", "AB");
    expect(noSecret).toMatchObject({ exitCode: 2, err: expect.stringContaining("PANDAPON_SECRET") });
    const missing = await setup({ PANDAPON_SECRET: "x" }).run("--access-key", "a");
    expect(missing).toMatchObject({ exitCode: 2, err: expect.stringContaining("timestamp, signature missing") });
    const noFile = await setup({ PANDAPON_SECRET: "x" }).run("--curl", "nope.sh");
    expect(noFile).toMatchObject({ exitCode: 2, err: expect.stringContaining("nope.sh") });
  });
});

describe("pandapon-mock identify-signature (spawned)", () => {
  const cli = (args: string[], env: Record<string, string>) =>
    spawnSync(join("node_modules", ".bin", "tsx"), ["cli/main.ts", "identify-signature", ...args], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });

  it("identifies the scheme of a pasted curl file and exits 0, 1 or 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "identify-"));
    const file = join(dir, "request.sh");
    writeFileSync(file, createSignedCurl() + "\n");

    const found = cli(["--curl", file, "--json"], { PANDAPON_SECRET: SECRET });
    expect(found.status).toBe(0);
    expect(JSON.parse(found.stdout).matches.map((m: { signatureScheme: unknown }) => m.signatureScheme)).toEqual([CUSTOM]);
    expect(found.stdout + found.stderr).not.toContain(SECRET);

    const none = cli(["--curl", file], { PANDAPON_SECRET: "another-secret" });
    expect(none.status).toBe(1);
    expect(none.stdout).toContain("No signature scheme reproduces the signature");

    const bad = cli(["--curl", file, "--no-such-flag"], { PANDAPON_SECRET: SECRET });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option");
  });
});
