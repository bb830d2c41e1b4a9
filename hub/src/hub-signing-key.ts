import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { formatFingerprint, registrationRecordMessage, type HubKeyInfo, type RegistrationRecord, type SignedRegistration } from '@pitwall/protocol';
import { writeFileAtomic } from '@pitwall/protocol/node';

export interface HubSigningKey {
  readonly info: HubKeyInfo;
  sign(record: RegistrationRecord): SignedRegistration;
}

/** base64 of an Ed25519 public key's DER SubjectPublicKeyInfo, and its SSH-style fingerprint. */
export function describePublicKey(publicKey: KeyObject): HubKeyInfo {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return { publicKey: spki.toString('base64'), fingerprint: formatFingerprint(createHash('sha256').update(spki).digest()) };
}

function fromPrivateKey(privateKey: KeyObject): HubSigningKey {
  const info = describePublicKey(createPublicKey(privateKey));
  return {
    info,
    sign: (record) => ({ record, hubKey: info.fingerprint, signature: sign(null, registrationRecordMessage(record), privateKey).toString('base64') }),
  };
}

/**
 * The hub's Ed25519 signing key from a PEM file (0600), made there when the file does not exist.
 * Every hub process sharing one database is given the same file: the key is never kept in the
 * database, so a copy of the database cannot sign records.
 */
export async function loadHubSigningKey(file: string): Promise<HubSigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFileAtomic(file, pem, 0o600);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(`the hub key file ${file} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the hub key file ${file} holds an ${key.asymmetricKeyType} key; the hub signs with Ed25519`);
  return fromPrivateKey(key);
}
