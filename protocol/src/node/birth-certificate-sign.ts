import { sign, verify } from 'node:crypto';
import { birthCertificate, birthCertificateMessage, type BirthCertificate } from '../hub/index.js';
import type { SigningKey, TrustedKey } from './dsse-envelope.js';

/** The vendor's side, at manufacture: certifies that `unit` was born with `publicKey` (base64 SPKI). */
export function signBirthCertificate(key: SigningKey, unit: { unitId: string; publicKey: string; model: string }, now = Date.now()): BirthCertificate {
  const fields = { unitId: unit.unitId, publicKey: unit.publicKey, model: unit.model, issuedAt: new Date(now).toISOString(), vendorKeyId: key.keyId };
  const cert = { ...fields, signature: sign(null, birthCertificateMessage(fields), key.privateKey).toString('base64') };
  return birthCertificate.parse(cert);
}

/**
 * Why a birth certificate does not vouch for `expect` under the trusted vendor keys, or null
 * when it does: its signer must be one of `trusted` and its signature, unit id, key and model
 * must all match.
 */
export function birthCertificateProblem(cert: BirthCertificate, trusted: ReadonlyMap<string, TrustedKey>, expect: { unitId: string; publicKey: string; model: string }): string | null {
  const vendor = trusted.get(cert.vendorKeyId);
  if (!vendor) return `its signer ${cert.vendorKeyId.slice(0, 16)}… is not a vendor key this side trusts`;
  const { signature, ...fields } = cert;
  if (!verify(null, birthCertificateMessage(fields), vendor.publicKey, Buffer.from(signature, 'base64'))) return 'its signature does not verify';
  if (cert.unitId !== expect.unitId) return `it is for unit ${cert.unitId}, not ${expect.unitId}`;
  if (cert.publicKey !== expect.publicKey) return 'it certifies another key than the one presented';
  if (cert.model !== expect.model) return `it is for model "${cert.model}", not "${expect.model}"`;
  return null;
}
