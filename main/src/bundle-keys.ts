import { generateKeyPairSync } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { loadPublicKey, loadSigningKey, type SigningKey } from '@pitwall/protocol/node';

/**
 * The vendor's signing keys on the signing machine: Ed25519, the private key a PKCS#8 PEM file
 * of mode 0600 (created exclusively, never overwritten, never printed), the public key beside it.
 */

export interface KeygenResult {
  keyId: string;
  privatePath: string;
  publicPath: string;
}

/** The public key's file for a private key file: vendor.key -> vendor.pub.pem. */
export const publicKeyPath = (privatePath: string): string => `${privatePath.replace(/\.(key|pem)$/, '')}.pub.pem`;

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  const fh = await open(path, 'wx', mode);
  try {
    await fh.chmod(mode); // the umask must not widen or narrow it
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function generateVendorKey(privatePath: string): Promise<KeygenResult> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicPath = publicKeyPath(privatePath);
  await writeNew(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  try {
    await writeNew(publicPath, publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  } catch (err) {
    await unlink(privatePath).catch(() => undefined);
    throw err;
  }
  return { keyId: loadPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString()).keyId, privatePath, publicPath };
}

/** `keygen` of the vendor CLIs (bundles, licences): makes the key pair and says where it went, never what it is. */
export async function keygenCommand(privatePath: string, out: (line: string) => void, publicUse: string): Promise<number> {
  const k = await generateVendorKey(privatePath);
  out(`key id ${k.keyId}`);
  out(`private key: ${k.privatePath} (mode 0600; keep it off the units and out of backups you do not control)`);
  out(`public key:  ${k.publicPath} (${publicUse})`);
  return 0;
}

/** Reads a private key file, refusing one that others can read (as ssh does). */
export async function readSigningKey(path: string): Promise<SigningKey> {
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0) {
    throw new Error(`${path} can be read by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it first`);
  }
  return loadSigningKey(await readFile(path, 'utf8'));
}

export async function readPublicKeyPem(path: string): Promise<string> {
  const pem = await readFile(path, 'utf8');
  loadPublicKey(pem); // refuses what is not an Ed25519 public key
  return pem;
}
