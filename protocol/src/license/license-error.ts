/**
 * Why a licence file or a revocation list was refused, and the gate's refusal. One code per
 * cause so the unit, the CLI and the companion can tell them apart; the message is a sentence
 * for a dealer and never holds key material.
 */
export type LicenseErrorCode =
  | 'too-large' // the file is larger than the limit for its kind
  | 'unsigned' // not a sigstore bundle around one DSSE signature
  | 'bad-signature' // the signature does not match, or the file is not in the form pitwall signs
  | 'unknown-key' // signed by a key the unit does not trust
  | 'revoked-key' // signed by a vendor key a key list revoked
  | 'bad-license' // signed, but not a licence this runtime understands
  | 'bad-revocation-list' // signed, but not a revocation list this runtime understands
  | 'key-mismatch' // the payload names another key than the one that signed it
  | 'wrong-unit' // bound to another unit or model
  | 'revoked' // on the revocation list the unit holds
  | 'expired' // past its grace already: installing it would change nothing for the better
  | 'older-license' // older than the file the unit holds for the same licence id
  | 'older-list' // a revocation list numbered lower than or equal to the one the unit holds
  | 'no-vendor-keys' // the unit cannot read its pinned vendor keys
  | 'audit-unavailable'; // the audit log could not record the change, so nothing changed

export class LicenseError extends Error {
  constructor(
    readonly code: LicenseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LicenseError';
  }
}

/** The HTTP status a refusal is answered with: 400 not a valid file, 422 valid but not for this unit now, 409 older than held. */
export const LICENSE_ERROR_STATUS: Record<LicenseErrorCode, number> = {
  'too-large': 413,
  unsigned: 400,
  'bad-signature': 400,
  'bad-license': 400,
  'bad-revocation-list': 400,
  'key-mismatch': 400,
  'unknown-key': 422,
  'revoked-key': 422,
  'wrong-unit': 422,
  revoked: 422,
  expired: 422,
  'no-vendor-keys': 422,
  'older-license': 409,
  'older-list': 409,
  'audit-unavailable': 503,
};

/** The ApiError code of a route refused because the unit's licence does not include its feature (403). */
export const FEATURE_NOT_LICENSED = 'feature-not-licensed';

/** The sentence of that refusal. */
export const featureRefusal = (feature: string): string => `licence does not include ${feature}`;
