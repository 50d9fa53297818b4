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
export type { TopParams, TopSignMethod } from "./top-sign.js";
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
export type { SignedRequest, SignatureMatch, Identification } from "./identify-signature.js";
export { identifySignature } from "./identify-signature.js";
export type { SchemeLayout } from "./list-candidate-schemes.js";
export { listCandidateLayouts } from "./list-candidate-schemes.js";
export type { SignatureExplanation } from "./explain-signature.js";
export { explainSignature } from "./explain-signature.js";
export type { TopSignatureExplanation } from "./explain-top-signature.js";
export { explainTopSignature } from "./explain-top-signature.js";
