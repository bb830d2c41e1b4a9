import { Type, type Static } from '@sinclair/typebox';

/**
 * The outline of a signed file as `pitwall license issue|revoke-list` writes it: a sigstore
 * bundle (v0.3 JSON) around one DSSE envelope. Only the outline is a schema; the unit checks the
 * rest (the exact form pitwall signs, the signature, the signed payload) and refuses with a
 * LicenseError.
 */
const signedFile = (what: string) =>
  Type.Object(
    { mediaType: Type.String({ maxLength: 100 }), verificationMaterial: Type.Unknown(), dsseEnvelope: Type.Unknown() },
    { additionalProperties: true, description: `${what}: sigstore bundle JSON around a DSSE envelope` },
  );

/** The body of PUT /v1/license. */
export const SignedLicenseFile = signedFile('a licence file');
export type SignedLicenseFile = Static<typeof SignedLicenseFile>;

/** The body of PUT /v1/license/revocations. */
export const SignedRevocationListFile = signedFile('a licence revocation list file');
export type SignedRevocationListFile = Static<typeof SignedRevocationListFile>;
