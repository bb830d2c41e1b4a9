import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { formatFingerprint, registrationRecordMessage, type HubKeyInfo, type RegistrationRecord, type SignedRegistration } from '@pitwall/protocol';
import { createFileExclusive } from '@pitwall/protocol/node';

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
 * The file's text, or null when there is none. A file others may read or write is refused (the
 * mode is read from the opened file, so it is the mode of what is read): like ssh with an
 * unprotected private key, the hub will not sign with a key others on the machine may copy.
 */
async function readPrivateFile(file: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const mode = (await fh.stat()).mode & 0o777;
    if (mode & 0o077) {
      throw new Error(`the hub key file ${file} is readable or writable by others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 on it (or 400) and start again`);
    }
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * The hub's Ed25519 signing key from a PEM file (0600 or 0400; refused when group or others may
 * access it), made there when the file does not exist. Every hub process sharing one database is
 * given the same file: the key is never kept in the database, so a copy of the database cannot
 * sign records.
 */
export async function loadHubSigningKey(file: string): Promise<HubSigningKey> {
  let pem = await readPrivateFile(file);
  if (pem === null) {
    // Hub processes started together on one shared key file: the first to create it wins, the
    // others read what it wrote, so all of them sign with one key.
    const made = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    pem = (await createFileExclusive(file, made, 0o600)) ? made : await readPrivateFile(file);
    if (pem === null) throw new Error(`the hub key file ${file} vanished while it was being made`);
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
