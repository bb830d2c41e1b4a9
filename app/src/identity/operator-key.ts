import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { certificateName, createSelfSignedCertificate, generateEd25519 } from './operator-certificate.js';
import { fingerprintOfCertificate, fingerprintOfKey } from './fingerprint.js';
import type { SecretStore } from './secret-store.js';

/**
 * The companion's operator identity: an Ed25519 key pair and a self-signed client certificate,
 * made on first use and kept in a SecretStore. The private key stays inside this object and
 * the TLS stack; `describe()` is what may be shown or logged.
 */
export interface OperatorIdentity {
  readonly fingerprint: string;
  readonly name: string;
  readonly storage: SecretStore['kind'];
  /** PEM certificate (public). */
  readonly certificatePem: string;
  /** The private key, for the TLS client and nothing else. */
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

interface StoredKey {
  version: 1;
  /** PKCS#8 DER, base64. */
  privateKey: string;
  certificate: string;
}

export function defaultOperatorName(): string {
  let user = 'operator';
  try {
    user = userInfo().username || user;
  } catch {
    /* no passwd entry */
  }
  return `${user}@${hostname()}`.slice(0, 63);
}

export class OperatorKeyError extends Error {
  override readonly name = 'OperatorKeyError';
}

function parseStored(raw: Buffer): StoredKey {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new OperatorKeyError('the stored operator key is not readable (not JSON)');
  }
  const v = value as Partial<StoredKey>;
  if (v?.version !== 1 || typeof v.privateKey !== 'string' || typeof v.certificate !== 'string') {
    throw new OperatorKeyError('the stored operator key has an unknown format');
  }
  return v as StoredKey;
}

function fromStored(stored: StoredKey, name: string, storage: SecretStore['kind']): OperatorIdentity {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(stored.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new OperatorKeyError('the stored operator key is corrupt');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new OperatorKeyError('the stored operator key is not an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  const fingerprint = fingerprintOfKey(publicKey);
  let certFingerprint: string;
  try {
    certFingerprint = fingerprintOfCertificate(stored.certificate);
  } catch {
    throw new OperatorKeyError('the stored operator certificate is corrupt');
  }
  if (certFingerprint !== fingerprint) throw new OperatorKeyError('the stored operator certificate does not match the stored key');
  return { fingerprint, name, storage, certificatePem: stored.certificate, privateKey, publicKey };
}

/**
 * Loads the operator identity from `store`, creating and saving one on first use. A stored key
 * that cannot be read is an error (never silently replaced: units know this operator by it).
 */
export async function loadOrCreateOperatorIdentity(store: SecretStore, name = defaultOperatorName()): Promise<OperatorIdentity> {
  const raw = await store.load();
  if (raw) return fromStored(parseStored(raw), name, store.kind);
  const keys = await generateEd25519();
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const certificate = await createSelfSignedCertificate(keys, certificateName(name));
  const stored: StoredKey = { version: 1, privateKey: pkcs8.toString('base64'), certificate };
  await store.save(Buffer.from(JSON.stringify(stored)));
  pkcs8.fill(0);
  return fromStored(stored, name, store.kind);
}

/** Caches the identity and creates it once, on the first call that needs it. */
export class OperatorKeyring {
  private pending: Promise<OperatorIdentity> | null = null;
  constructor(
    private readonly store: SecretStore,
    private readonly name = defaultOperatorName(),
  ) {}

  get(): Promise<OperatorIdentity> {
    this.pending ??= loadOrCreateOperatorIdentity(this.store, this.name).catch((err: unknown) => {
      this.pending = null;
      throw err;
    });
    return this.pending;
  }
}
