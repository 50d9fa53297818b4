import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SCHEME,
  checkPandaponTimestamp,
  checkScheme,
  checkTopTimestamp,
  parseTopTimestamp,
  signCallback,
  signPandapon,
  signTop,
  toStringToSign,
  toTopTimestamp,
  verifyCallbackSignature,
  verifyPandaponSignature,
  verifyTopSignature,
} from "../signing/index.js";

const PANDAPON = {
  secret: "demo-secret-please-change",
  accessKey: "58c0201dfdf148eca63cbf6bb5e7cf03",
  timestamp: "1715669977082",
};

const TOP_EXAMPLE_A = {
  method: "taobao.item.seller.get",
  app_key: "12345678",
  session: "test",
  timestamp: "2016-01-01 12:00:00",
  format: "json",
  v: "2.0",
  sign_method: "md5",
  fields: "num_iid,title,nick,price,num",
  num_iid: "11223344",
};

describe("PandaPon default scheme (docs/protocols.md vectors)", () => {
  const vectors = [
    {
      name: "with nonce-str",
      headers: { "access-key": PANDAPON.accessKey, "nonce-str": "5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b", timestamp: PANDAPON.timestamp },
      stringToSign:
        "access-key=58c0201dfdf148eca63cbf6bb5e7cf03&nonce-str=5f2b9c1e8d7a4e3f9b6c2d1a0e8f7c6b&timestamp=1715669977082&key=demo-secret-please-change",
      signature: "D6CCD0D67408AAAD87050EA7E30EFAB7",
    },
    {
      name: "without nonce-str",
      headers: { "access-key": PANDAPON.accessKey, timestamp: PANDAPON.timestamp },
      stringToSign: "access-key=58c0201dfdf148eca63cbf6bb5e7cf03&timestamp=1715669977082&key=demo-secret-please-change",
      signature: "9B2B441EFD068A7BCD9263D1FFFAB027",
    },
  ];
  for (const v of vectors) {
    it(`reproduces the vector ${v.name}`, () => {
      expect(toStringToSign(DEFAULT_SCHEME, { headers: v.headers }, PANDAPON.secret)).toBe(v.stringToSign);
      const signed = signPandapon(DEFAULT_SCHEME, { headers: v.headers }, PANDAPON.secret);
      expect(signed.signature).toBe(v.signature);
      expect(signed.maskedStringToSign).not.toContain(PANDAPON.secret);
      expect(signed.maskedStringToSign).toContain("&key=******");
    });
  }

  it("verifies a good signature and names the failed check for a bad one", () => {
    const headers = vectors[0]!.headers;
    expect(verifyPandaponSignature(DEFAULT_SCHEME, { headers }, PANDAPON.secret, vectors[0]!.signature)).toEqual({ ok: true });
    const bad = verifyPandaponSignature(DEFAULT_SCHEME, { headers }, PANDAPON.secret, "D6CCD0D67408AAAD87050EA7E30EFAB8");
    expect(bad).toMatchObject({ ok: false, check: "signature" });
    expect(JSON.stringify(bad)).not.toContain(PANDAPON.secret);
    expect(verifyPandaponSignature(DEFAULT_SCHEME, { headers }, "other-secret", vectors[0]!.signature).ok).toBe(false);
  });

  it("lets the scheme decide order, format, secret placement, digest and case", () => {
    const headers = { "access-key": "ak", "nonce-str": "n", timestamp: "1" };
    const listed = { ...DEFAULT_SCHEME, fields: ["timestamp", "access-key", "nonce-str"], order: "listed" as const };
    expect(toStringToSign(listed, { headers }, "S")).toBe("timestamp=1&access-key=ak&nonce-str=n&key=S");
    const values = { ...DEFAULT_SCHEME, format: "values" as const, separator: "", secretPlacement: "both" as const };
    expect(toStringToSign(values, { headers }, "S")).toBe("Sakn1S");
    const body = { ...DEFAULT_SCHEME, includeBody: true };
    expect(toStringToSign(body, { headers, body: '{"a":1}' }, "S")).toBe('access-key=ak&nonce-str=n&timestamp=1&{"a":1}&key=S');
    const hmac = { ...DEFAULT_SCHEME, secretPlacement: "none" as const, algorithm: "hmac-sha256" as const, case: "lower" as const };
    expect(signPandapon(hmac, { headers }, "S").signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rejects an unusable scheme with the reason", () => {
    expect(checkScheme(DEFAULT_SCHEME)).toEqual([]);
    expect(checkScheme({ ...DEFAULT_SCHEME, algorithm: "crc32" })).toEqual([expect.stringContaining("algorithm must be one of")]);
    expect(checkScheme({ ...DEFAULT_SCHEME, secretPlacement: "none" })).toEqual([expect.stringContaining("hmac")]);
  });
});

describe("TOP signing", () => {
  it("reproduces the official md5 vector 66987CB115214E59E6EC978214934FB8", () => {
    expect(signTop(TOP_EXAMPLE_A, "helloworld", "md5")).toBe("66987CB115214E59E6EC978214934FB8");
  });

  it("reproduces the older official example B and the SDK unit test C", () => {
    const b = { method: "taobao.user.seller.get", timestamp: "2013-05-06 13:52:03", format: "xml", app_key: "test", v: "2.0", fields: "nick", sign_method: "md5", session: "test" };
    expect(signTop(b, "test", "md5")).toBe("72CB4D809B375A54502C09360D879C64");
    const c = { method: "taobao.item.seller.get", app_key: "12345678", session: "test", timestamp: "2020-01-01 12:00:00", format: "json", v: "2.0", sign_method: "md5" };
    expect(signTop(c, "secret", "md5")).toBe("A599E42DFE311554D1F1922126AC87E5");
  });

  it("reproduces the computed hmac and hmac-sha256 regression vectors", () => {
    expect(signTop({ ...TOP_EXAMPLE_A, sign_method: "hmac" }, "helloworld", "hmac")).toBe("D56D7858309C31B6251083A874D48273");
    expect(signTop({ ...TOP_EXAMPLE_A, sign_method: "hmac-sha256" }, "helloworld", "hmac-sha256")).toBe(
      "04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8",
    );
  });

  it("ignores sign and empty values, and verifies in both directions", () => {
    const params = { ...TOP_EXAMPLE_A, sign: "66987CB115214E59E6EC978214934FB8", partner_id: "" };
    expect(verifyTopSignature(params, "helloworld", "md5")).toEqual({ ok: true });
    expect(verifyTopSignature(new Map(Object.entries(params)), "helloworld", "md5")).toEqual({ ok: true });
    expect(verifyTopSignature(new Map(Object.entries({ ...params, num_iid: "11223345" })), "helloworld", "md5").ok).toBe(false);
    const bad = verifyTopSignature({ ...params, num_iid: "11223345" }, "helloworld", "md5");
    expect(bad).toMatchObject({ ok: false, check: "signature" });
    expect(JSON.stringify(bad)).not.toContain("helloworld");
  });
});

describe("callback signature", () => {
  it("is HMAC-SHA256 of the raw body, upper-case hex by default", () => {
    const body = '{"messageType":"X","messagePlatform":1}';
    const sig = signCallback(body, "s3cret");
    expect(sig).toMatch(/^[0-9A-F]{64}$/);
    expect(verifyCallbackSignature(body, "s3cret", sig)).toEqual({ ok: true });
    expect(verifyCallbackSignature(body, "s3cret", sig.toLowerCase())).toEqual({ ok: true });
    expect(verifyCallbackSignature(body + " ", "s3cret", sig)).toMatchObject({ ok: false, check: "signature" });
    expect(verifyCallbackSignature(body, "s3cret", undefined)).toMatchObject({ ok: false, check: "authorization" });
  });

  it("takes either case of the hex digits, and no other character whose upper case is one (the ligature ﬀ is FF upper-cased)", () => {
    const body = '{"messageType":"X","n":5}';
    const sig = signCallback(body, "s3cret");
    expect(sig).toContain("FF");
    const respelt = sig.replace("FF", "\ufb00");
    expect(respelt.toUpperCase()).toBe(sig);
    expect(verifyCallbackSignature(body, "s3cret", respelt)).toMatchObject({ ok: false, check: "signature" });
    expect(verifyCallbackSignature(body, "s3cret", sig.replace("FF", "\ufb00".toUpperCase()))).toEqual({ ok: true });
  });
});

describe("timestamps with an injected clock", () => {
  it("accepts PandaPon timestamps within ±600 s and says the server time otherwise", () => {
    const now = 1_715_669_977_082;
    expect(checkPandaponTimestamp(String(now - 600_000), now, 600_000).ok).toBe(true);
    const late = checkPandaponTimestamp(String(now - 600_001), now, 600_000);
    expect(late).toMatchObject({ ok: false, check: "timestamp" });
    expect(late.ok === false && late.reason).toContain("±600 s");
    expect(late.ok === false && late.reason).toContain(String(now));
    expect(checkPandaponTimestamp("2024-05-14", now, 600_000)).toMatchObject({ ok: false });
  });

  it("reads TOP timestamps as GMT+8 and rejects impossible dates", () => {
    expect(parseTopTimestamp("2016-01-01 12:00:00")).toBe(Date.UTC(2016, 0, 1, 4, 0, 0));
    expect(toTopTimestamp(Date.UTC(2016, 0, 1, 4, 0, 0))).toBe("2016-01-01 12:00:00");
    expect(parseTopTimestamp("2016-02-30 12:00:00")).toBeUndefined();
    expect(parseTopTimestamp("2016-01-01T12:00:00")).toBeUndefined();
    const now = Date.UTC(2016, 0, 1, 4, 0, 0);
    expect(checkTopTimestamp("2016-01-01 12:10:00", now, 600_000).ok).toBe(true);
    expect(checkTopTimestamp("2016-01-01 12:10:01", now, 600_000).ok).toBe(false);
  });

  it("reads TOP timestamps exactly as a Date round trip does, on any text of their shape", () => {
    /** What parseTopTimestamp was: a regular expression, Date.UTC, and a round trip through Date. */
    const byDate = (value: string): number | undefined => {
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
      if (!m) return undefined;
      const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
      const ms = Date.UTC(y, mo - 1, d, h - 8, mi, s);
      const back = new Date(ms + 8 * 3600_000);
      return back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59 ? undefined : ms;
    };
    const digits = (n: number) => fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, "0"));
    const shaped = fc.tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2)).map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d} ${h}:${mi}:${s}`);
    const likely = fc.tuple(fc.integer({ min: 1896, max: 2104 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }))
      .map(([y, ...rest]) => `${String(y).padStart(4, "0")}-${rest.slice(0, 2).map((v) => String(v).padStart(2, "0")).join("-")} ${rest.slice(2).map((v) => String(v).padStart(2, "0")).join(":")}`);
    const mangled = fc.tuple(shaped, fc.nat(18), fc.constantFrom("x", " ", "-", ":", "T", "٣", "")).map(([t, at, c]) => t.slice(0, at) + c + t.slice(at + 1));
    fc.assert(
      fc.property(fc.oneof(shaped, likely, mangled), (text) => {
        expect(parseTopTimestamp(text)).toBe(byDate(text));
      }),
      { numRuns: 5000 },
    );
    for (const text of ["0000-02-29 00:00:00", "0004-02-29 00:00:00", "1900-02-29 00:00:00", "2000-02-29 23:59:59", "2023-02-29 00:00:00"]) {
      expect(parseTopTimestamp(text)).toBe(byDate(text));
    }
  });
});
