import { open, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { CompanionError } from '@pitwall/protocol';
import { dsseSignerHint, keyLookup, pinnedKeySet, type KeyLookup } from '@pitwall/protocol/node';

/**
 * A signed licence file or revocation list as the companion reads it from disk: bounded in
 * size before a byte is parsed, the DSSE payload taken out unverified (to show what it is), and
 * the signature checked against the vendor keys this companion knows (`<dataDir>/vendor-keys`).
 * The unit checks the signature again with its own pinned keys; the companion's check is for the
 * dealer's eyes and for what the companion itself keeps.
 */
export interface SignedFile {
  path: string;
  /** The file's text, exactly as signed (what a unit is sent). */
  text: string;
  sizeB: number;
  /** The DSSE payload parsed as JSON, not yet checked against any schema. */
  payload: unknown;
  signerKeyId: string;
  verified: boolean;
  verifyNote: string | null;
}

/** The public keys (`*.pem`) in the companion's vendor key folder; unreadable files are passed over. */
export async function knownVendorKeys(dir: string | null): Promise<string[]> {
  if (!dir) return [];
  const names = await readdir(dir).catch(() => [] as string[]);
  const pems = await Promise.all(names.filter((n) => n.endsWith('.pem')).sort().map((n) => readFile(join(dir, n), 'utf8').catch(() => null)));
  return pems.filter((p): p is string => p !== null);
}

const bad = (what: string, path: string, why: string) => new CompanionError('invalid-params', `${path} is not a ${what}: ${why}`);

/** Reads at most `maxB` bytes; a longer file, a folder or a missing one is refused before parsing. */
async function readBounded(path: string, maxB: number, what: string): Promise<Buffer> {
  if (!isAbsolute(path)) throw new CompanionError('invalid-params', `give the ${what}'s full path (${path} is relative)`);
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) throw new CompanionError('not-found', `no ${what} at ${path}`);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new CompanionError('not-found', `${path} is not a file`);
    if (st.size > maxB) throw bad(what, path, `it is ${st.size} bytes, more than the ${maxB} a ${what} may be`);
    const buf = Buffer.alloc(maxB + 1);
    const { bytesRead } = await fh.read(buf, 0, maxB + 1, 0);
    if (bytesRead > maxB) throw bad(what, path, `it grew past ${maxB} bytes while being read`);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The envelope's payload and type, unverified; throws when the file is not a DSSE sigstore bundle. */
function envelopeOf(text: string, what: string, path: string): { payloadType: string; payload: unknown } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad(what, path, 'it is not JSON');
  }
  const env = (doc as { dsseEnvelope?: { payload?: unknown; payloadType?: unknown } } | null)?.dsseEnvelope;
  if (typeof env?.payload !== 'string' || typeof env.payloadType !== 'string') throw bad(what, path, 'it is not a signed (DSSE) file');
  try {
    return { payloadType: env.payloadType, payload: JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) };
  } catch {
    throw bad(what, path, 'its signed content is not JSON');
  }
}

/**
 * Reads and checks a signed file of `payloadType` (`verify`: the unit's own check, from
 * `@pitwall/protocol/node`, here against the companion's keys). Throws a CompanionError (invalid-params or
 * not-found) when it is not one; a signature that does not verify is reported in `verifyNote`.
 */
export async function readSignedFile(
  path: string,
  o: { payloadType: string; maxB: number; what: string; vendorKeysDir: string | null; verify: (json: string, lookup: KeyLookup) => Promise<unknown> },
): Promise<SignedFile> {
  const bytes = await readBounded(path, o.maxB, o.what);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad(o.what, path, 'it is not UTF-8 text');
  }
  const env = envelopeOf(text, o.what, path);
  if (env.payloadType !== o.payloadType) throw bad(o.what, path, `it is signed as "${env.payloadType.slice(0, 80)}"`);
  const signerKeyId = dsseSignerHint(text);
  if (!signerKeyId) throw bad(o.what, path, 'it names no signing key');
  const base = { path, text, sizeB: bytes.length, payload: env.payload, signerKeyId };
  const pems = await knownVendorKeys(o.vendorKeysDir);
  if (pems.length === 0) return { ...base, verified: false, verifyNote: 'no vendor keys known to this companion: the units check the signature themselves' };
  try {
    await o.verify(text, keyLookup(pinnedKeySet(pems)));
    return { ...base, verified: true, verifyNote: null };
  } catch (err) {
    return { ...base, verified: false, verifyNote: (err as Error).message };
  }
}
