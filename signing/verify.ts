import { isSameHexIgnoringCase, isSameSecretValue } from "./digest.js";
import type { SignatureScheme, SignedValues } from "./pandapon-scheme.js";
import { SECRET_MASK, toPandaponSignature, toStringToSign } from "./pandapon-scheme.js";
import { signCallback } from "./callback-sign.js";
import { readDigits } from "./read-digits.js";
import type { TopParams, TopSignMethod } from "./top-sign.js";
import { readTopParam, signTop, toTopStringToSign } from "./top-sign.js";

/** The outcome of a check: ok, or which check failed and why (never containing a secret). */
export type Verification = { ok: true } | { ok: false; check: string; reason: string; maskedStringToSign?: string };

const OK: Verification = { ok: true };

export function verifyPandaponSignature(
  scheme: SignatureScheme,
  values: SignedValues,
  secret: string,
  signature: string,
): Verification {
  if (isSameSecretValue(signature, toPandaponSignature(scheme, values, secret))) return OK;
  return {
    ok: false,
    check: "signature",
    reason: "the signature does not match the request",
    maskedStringToSign: toStringToSign(scheme, values, SECRET_MASK),
  };
}

export function verifyTopSignature(params: TopParams, secret: string, method: TopSignMethod): Verification {
  if (isSameSecretValue(readTopParam(params, "sign") ?? "", signTop(params, secret, method))) return OK;
  const s = toTopStringToSign(params);
  const masked = method === "md5" ? `******${s}******` : s;
  return { ok: false, check: "signature", reason: `the ${method} signature does not match`, maskedStringToSign: masked };
}

export function verifyCallbackSignature(rawBody: string | Buffer, secret: string, authorization: string | undefined): Verification {
  if (!authorization) return { ok: false, check: "authorization", reason: "the Authorization header is missing" };
  const upper = signCallback(rawBody, secret, "upper");
  // Hex case is not documented: accept either, compared in constant time on the canonical form.
  if (isSameHexIgnoringCase(authorization.trim(), upper)) return OK;
  return { ok: false, check: "signature", reason: "the Authorization HMAC-SHA256 does not match the raw body" };
}

/** PandaPon timestamps are epoch milliseconds (the documented example has 13 digits). */
export function checkPandaponTimestamp(value: string, nowMs: number, windowMs: number): Verification {
  if (!/^\d{1,16}$/.test(value)) {
    return { ok: false, check: "timestamp", reason: `timestamp "${value.slice(0, 40)}" is not epoch milliseconds (e.g. 1715669977082)` };
  }
  const skew = Number(value) - nowMs;
  if (Math.abs(skew) <= windowMs) return OK;
  return {
    ok: false,
    check: "timestamp",
    reason:
      `timestamp ${value} is ${Math.round(Math.abs(skew) / 1000)} s ${skew < 0 ? "behind" : "ahead of"} the server time ` +
      `${nowMs} (${new Date(nowMs).toISOString()}); the allowed window is ±${Math.round(windowMs / 1000)} s`,
  };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses TOP's `yyyy-MM-dd HH:mm:ss` (GMT+8) to epoch ms, or undefined when malformed or not a real date and time. */
export function parseTopTimestamp(value: string): number | undefined {
  if (value.length !== 19 || value[4] !== "-" || value[7] !== "-" || value[10] !== " " || value[13] !== ":" || value[16] !== ":") return undefined;
  const y = readDigits(value, 0, 4);
  const mo = readDigits(value, 5, 2);
  const d = readDigits(value, 8, 2);
  const h = readDigits(value, 11, 2);
  const mi = readDigits(value, 14, 2);
  const s = readDigits(value, 17, 2);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && s <= 59 && y >= 0)) return undefined;
  // Date.UTC reads years 0–99 as 1900–1999: their leap years are that century's.
  const year = y < 100 ? y + 1900 : y;
  const leap = mo === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0)) return undefined;
  return Date.UTC(y, mo - 1, d, h - 8, mi, s);
}

/** Formats epoch ms as TOP's `yyyy-MM-dd HH:mm:ss` in GMT+8. */
export function toTopTimestamp(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

const HOUR_MS = 3600_000;

/** `8 h 0 min 5 s`, `11 min 0 s`, `42 s`. */
function toDurationText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const min = Math.floor(seconds / 60) % 60;
  const s = seconds % 60;
  return h > 0 ? `${h} h ${min} min ${s} s` : min > 0 ? `${min} min ${s} s` : `${s} s`;
}

export function checkTopTimestamp(value: string, nowMs: number, windowMs: number): Verification {
  const ms = parseTopTimestamp(value);
  if (ms === undefined) {
    return { ok: false, check: "timestamp", reason: `timestamp "${value.slice(0, 40)}" is not yyyy-MM-dd HH:mm:ss (GMT+8)` };
  }
  const skew = ms - nowMs;
  if (Math.abs(skew) <= windowMs) return OK;
  // A whole number of hours off (within the window) is a clock formatted in another time zone: an SDK on a UTC machine is 8 h behind.
  const hours = Math.round(Math.abs(skew) / HOUR_MS);
  const zoneHint =
    hours >= 1 && hours <= 26 && Math.abs(Math.abs(skew) - hours * HOUR_MS) <= windowMs
      ? `. That is about ${hours} h: a clock formatted in another time zone (a UTC clock is 8 h behind)? TOP expects GMT+8 (Asia/Shanghai), yyyy-MM-dd HH:mm:ss`
      : "";
  return {
    ok: false,
    check: "timestamp",
    reason:
      `timestamp ${value} is ${toDurationText(Math.abs(skew))} ${skew < 0 ? "behind" : "ahead of"} the server time ${toTopTimestamp(nowMs)} (GMT+8); ` +
      `the allowed window is ±${Math.round(windowMs / 1000)} s${zoneHint}`,
  };
}
