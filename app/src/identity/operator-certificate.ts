import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type KeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as never);

const ED25519 = { name: 'Ed25519' } as const;

/**
 * A self-signed X.509 certificate for an Ed25519 key pair: the operator's TLS client
 * certificate. Units identify the operator by the fingerprint of its key, not by the name.
 */
export async function createSelfSignedCertificate(keys: KeyPair, commonName: string, years = 20): Promise<string> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + years * 365 * 86_400_000);
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = serial[0]! & 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [commonName] }],
    notBefore,
    notAfter,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: ED25519,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return cert.toString('pem');
}

export async function generateEd25519(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as KeyPair;
}

/** Escapes nothing: CN is informational; keep it to printable ASCII and 63 characters. */
export function certificateName(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?').trim();
  return (clean || 'pitwall-operator').slice(0, 63);
}
