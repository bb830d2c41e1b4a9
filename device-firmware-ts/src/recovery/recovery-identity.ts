import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { identityPaths } from '../identity/unit-identity.js';
import { fingerprintOf, parseIdentityKey, selfSignedCertificatePem } from '../identity/unit-key.js';

export interface RecoveryIdentity {
  id: string;
  fingerprint: string;
  key: KeyObject;
  tls: { keyPem: string; certPem: string };
}

/**
 * The unit's identity as recovery mode reads it: the stored id and key, never made or repaired
 * here (a unit without them has nobody paired to recover it; it answers nothing). Throws with
 * the reason.
 */
export async function readRecoveryIdentity(dataDir: string): Promise<RecoveryIdentity> {
  const paths = identityPaths(dataDir);
  const id = (await readFile(paths.id, 'utf8')).trim();
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`unit id in ${paths.id} is not a UUID`);
  const key = parseIdentityKey(await readFile(paths.key, 'utf8'));
  const certPem = await selfSignedCertificatePem(key, id);
  return { id, key, fingerprint: fingerprintOf(createPublicKey(key)), tls: { keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, certPem } };
}
