import type { SignatureScheme } from "../signing/pandapon-scheme.js";
import { signPandapon } from "../signing/pandapon-scheme.js";

export interface PandaponCredentials {
  accessKey: string;
  secret: string;
  userId: string;
}

export interface PandaponHeaderInput extends PandaponCredentials {
  scheme: SignatureScheme;
  /** Epoch milliseconds as sent, e.g. `String(Date.now())`. */
  timestamp: string;
  /** The `nonce-str`; omit to send none (the zh v2 pages have no nonce-str). */
  nonce?: string;
  /** The raw body exactly as it will be sent (signed only when the scheme includes the body). */
  body?: string;
}

export interface PandaponHeaders {
  /** The five system headers, in the documented order. */
  headers: Record<string, string>;
  /** The string-to-sign with the secret masked. */
  maskedStringToSign: string;
}

/** The PandaPon system headers for one request, signed with the scheme. Pure: clock and nonce come in. */
export function createPandaponHeaders(input: PandaponHeaderInput): PandaponHeaders {
  const headers: Record<string, string> = { "access-key": input.accessKey, timestamp: input.timestamp };
  if (input.nonce) headers["nonce-str"] = input.nonce;
  headers["user-id"] = input.userId;
  // The scheme's `fields` decide which of these are signed (user-id is not, by default).
  const { signature, maskedStringToSign } = signPandapon(
    input.scheme,
    input.body ? { headers, body: input.body } : { headers },
    input.secret,
  );
  return { headers: { ...headers, signature }, maskedStringToSign };
}
