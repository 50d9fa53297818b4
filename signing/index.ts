export type { DigestAlgorithm } from "./digest.js";
export { DIGEST_ALGORITHMS, toHexDigest, isSameSecretValue } from "./digest.js";
export type { SignatureScheme, SignedValues, PandaponSignature } from "./pandapon-scheme.js";
export {
  DEFAULT_SCHEME,
  SECRET_MASK,
  toStringToSign,
  signPandapon,
  checkScheme,
  toScheme,
  describeScheme,
} from "./pandapon-scheme.js";
export type { TopSignMethod } from "./top-sign.js";
export { TOP_SIGN_METHODS, isTopSignMethod, toTopStringToSign, signTop } from "./top-sign.js";
export { signCallback } from "./callback-sign.js";
export type { Verification } from "./verify.js";
export {
  verifyPandaponSignature,
  verifyTopSignature,
  verifyCallbackSignature,
  checkPandaponTimestamp,
  checkTopTimestamp,
  parseTopTimestamp,
  toTopTimestamp,
} from "./verify.js";
