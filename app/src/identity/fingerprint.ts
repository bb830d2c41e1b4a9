import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { formatFingerprint } from '@pitwall/protocol';

/** `SHA256:...` of a DER SubjectPublicKeyInfo (as SSH prints key fingerprints). */
export function fingerprintOfSpki(spkiDer: Uint8Array): string {
  return formatFingerprint(createHash('sha256').update(spkiDer).digest());
}

export function spkiOfKey(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

export function fingerprintOfKey(key: KeyObject): string {
  return fingerprintOfSpki(spkiOfKey(key));
}

/** Fingerprint of the key a certificate (PEM or DER) carries. */
export function fingerprintOfCertificate(cert: string | Buffer | X509Certificate): string {
  const x = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  return fingerprintOfKey(x.publicKey);
}
