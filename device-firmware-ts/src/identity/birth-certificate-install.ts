import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { birthCertificate } from '@pitwall/protocol';
import { publicKeyBase64 } from '@pitwall/protocol/node';
import { writeFileAtomic } from './atomic-file.js';
import { identityPaths } from './unit-identity.js';
import { fingerprintOf, parseIdentityKey } from './unit-key.js';

export interface StoredIdentity {
  unitId: string;
  /** base64 of the key's DER SubjectPublicKeyInfo: what the vendor certifies and the hub registers. */
  publicKey: string;
  fingerprint: string;
}

/** The unit's id and public key as stored in DIR/identity (made by its first boot), for the factory step. */
export async function readStoredIdentity(dataDir: string): Promise<StoredIdentity> {
  const p = identityPaths(dataDir);
  const key = parseIdentityKey(await readFile(p.key, 'utf8'));
  const unitId = (await readFile(p.id, 'utf8')).trim();
  return { unitId, publicKey: publicKeyBase64(key), fingerprint: fingerprintOf(createPublicKey(key)) };
}

/**
 * The factory step: keeps the vendor's birth certificate in the identity folder after checking
 * it names this unit's id and key (a certificate for another unit would only make its hub
 * registration fail later). The vendor's signature is the hub's to check.
 */
export async function installBirthCertificate(dataDir: string, file: string): Promise<StoredIdentity> {
  const me = await readStoredIdentity(dataDir);
  const cert = birthCertificate.parse(JSON.parse(await readFile(file, 'utf8')));
  if (cert.unitId !== me.unitId) throw new Error(`the certificate is for unit ${cert.unitId}, this unit is ${me.unitId}`);
  if (cert.publicKey !== me.publicKey) throw new Error(`the certificate names another key than this unit's (${me.fingerprint})`);
  await writeFileAtomic(identityPaths(dataDir).birthCertificate, JSON.stringify(cert), 0o644);
  return me;
}
