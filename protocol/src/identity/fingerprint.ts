import { Type } from '@sinclair/typebox';

/**
 * Key fingerprints are written as SSH writes them: `SHA256:` and the unpadded base64 of the
 * SHA-256 digest of the public key's DER SubjectPublicKeyInfo.
 */
export const Fingerprint = Type.String({ pattern: '^SHA256:[A-Za-z0-9+/]{43}$' });

export function formatFingerprint(sha256Digest: Uint8Array): string {
  if (sha256Digest.length !== 32) throw new RangeError('a SHA-256 digest has 32 bytes');
  let binary = '';
  for (const b of sha256Digest) binary += String.fromCharCode(b);
  return `SHA256:${btoa(binary).replace(/=+$/, '')}`;
}
