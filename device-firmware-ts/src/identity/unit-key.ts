import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { formatFingerprint } from '@pitwall/protocol';
import { writeFileAtomic } from './atomic-file.js';

/** SSH-style fingerprint of a public key: SHA-256 of its DER SubjectPublicKeyInfo. */
export function fingerprintOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return formatFingerprint(createHash('sha256').update(spki).digest());
}

export function generateIdentityKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Parses a stored identity key; throws with a reason when it is not a whole Ed25519 private key. */
export function parseIdentityKey(pem: string): KeyObject {
  if (!pem.includes('-----BEGIN PRIVATE KEY-----') || !pem.includes('-----END PRIVATE KEY-----')) {
    throw new Error('not a PEM private key (truncated or overwritten)');
  }
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, found ${key.asymmetricKeyType}`);
  // A key that cannot sign is no identity.
  sign(null, Buffer.from('self-test'), key);
  return key;
}

/**
 * A self-signed X.509 certificate whose key is `privateKey` (CN = `commonName`). Validity is
 * wide on purpose: peers pin the key, and a unit's clock may be unset at boot.
 */
export async function selfSignedCertificatePem(privateKey: KeyObject, commonName: string): Promise<string> {
  const { createSelfSignedPem } = await import('./x509-certificate.js');
  return createSelfSignedPem(privateKey, commonName);
}

/**
 * The certificate kept in `file` when it still belongs to `privateKey` and `commonName`, else
 * a new one, written there (0600) for the next boot. Keeping it spares every later boot the
 * X.509 library (see x509-certificate.ts). Whoever can rewrite the file could also rewrite the
 * key beside it; a certificate for another key or name is simply replaced.
 */
export async function reusedCertificatePem(privateKey: KeyObject, commonName: string, file: string): Promise<string> {
  const kept = await readFile(file, 'utf8').catch(() => null);
  if (kept !== null) {
    try {
      const cert = new X509Certificate(kept);
      if (cert.checkPrivateKey(privateKey) && cert.subject === `CN=${commonName}`) return kept;
    } catch {
      /* not a certificate: made again below */
    }
  }
  const pem = await selfSignedCertificatePem(privateKey, commonName);
  await writeFileAtomic(file, pem);
  return pem;
}
