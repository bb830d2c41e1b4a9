import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSigningKey, type SigningKey } from '@pitwall/protocol/node';

export interface TestVendorKey {
  /** The signing half, for the test's bundles (never shipped to a unit). */
  key: SigningKey;
  /** A directory with only the public key, `<keyId>.pem`: what a unit pins (`--vendor-keys DIR`). */
  keysDir: string;
}

/**
 * A fresh Ed25519 vendor key pair for a sim unit, as `pitwall bundle keygen` makes one: the
 * unit pins the public half, the test signs its bundles with the private half.
 */
export async function testVendorKey(dir: string): Promise<TestVendorKey> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = loadSigningKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const keysDir = join(dir, 'vendor-keys');
  await mkdir(keysDir, { recursive: true });
  await writeFile(join(keysDir, `${key.keyId.slice(0, 16)}.pem`), key.publicKeyPem, { mode: 0o644 });
  return { key, keysDir };
}
