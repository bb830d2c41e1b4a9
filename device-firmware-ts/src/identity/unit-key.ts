import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { formatFingerprint } from '@pitwall/protocol';

x509.cryptoProvider.set(webcrypto as never);

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
  const subtle = webcrypto.subtle;
  const alg = { name: 'Ed25519' };
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const keys = {
    privateKey: await subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']),
    publicKey: await subtle.importKey('spki', spki, alg, true, ['verify']),
  };
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${commonName}`,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2099-12-31T23:59:59Z'),
    signingAlgorithm: alg,
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams["keys"],
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return cert.toString('pem');
}
