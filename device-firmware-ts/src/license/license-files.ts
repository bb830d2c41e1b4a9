import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { revocationList, type RevocationList } from '@pitwall/protocol';
import { removeStaleTemps, writeFileAtomic } from '@pitwall/protocol/node';

/**
 * The licence's files on the data partition (not in a runtime slot, so a slot change or a
 * rollback keeps them): the licence file and the revocation list as installed (the signed
 * text, byte for byte), and the trusted clock's record. Each replaced atomically.
 */
export interface LicensePaths {
  dir: string;
  licence: string;
  revocations: string;
  clock: string;
}

export function licensePaths(dataDir: string): LicensePaths {
  const dir = join(dataDir, 'license');
  return { dir, licence: join(dir, 'license.json'), revocations: join(dir, 'revocations.json'), clock: join(dir, 'trusted-time.json') };
}

/** Makes the folder and removes the temp files a writer killed mid-write left (done after boot, off the path to ready). */
export async function prepareLicenseDir(p: LicensePaths): Promise<void> {
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  await Promise.all([removeStaleTemps(p.licence), removeStaleTemps(p.revocations), removeStaleTemps(p.clock)]);
}

/** A file's text, or null when there is none. */
export async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export const writeLicenseFile = (file: string, text: string): Promise<void> => writeFileAtomic(file, text, 0o600);

/**
 * The held revocation list from its signed file, without checking the signature again: it was
 * checked when it was installed, and a list can only take features away (a forged one on the data
 * partition could revoke, never grant). Null when the file cannot be read as a list.
 */
export function heldRevocationList(text: string): RevocationList | null {
  try {
    const payload = (JSON.parse(text) as { dsseEnvelope?: { payload?: unknown } }).dsseEnvelope?.payload;
    if (typeof payload !== 'string') return null;
    return revocationList.parse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
  } catch {
    return null;
  }
}
