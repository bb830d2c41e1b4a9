import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { link, open, readdir, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Replacing a file so that after a crash or a power cut it holds the old content or the new,
 * never a torn mix and never nothing: write a temp file beside it (exclusive create, the mode set
 * explicitly so the umask cannot widen or narrow it), fsync it, rename it over the file, fsync the
 * directory (the rename is only durable once the directory is). Any failure removes the temp file
 * and leaves the old file as it was. `write-file-atomic` was not used: it does not fsync the
 * directory, and it copies the old file's mode instead of the one asked for.
 *
 * Unit and companion both use this module (imported as
 * `@pitwall/protocol/node`).
 */

/** Temp files are `NAME.tmp-PID-RANDOM`: never mistaken for the file, found again by removeStaleTemps. */
function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes a new temp file of this mode (created exclusively, the mode set explicitly) and fsyncs it. */
async function writeSyncedTemp(tmp: string, content: string | Uint8Array, mode: number): Promise<void> {
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.chmod(mode);
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeFileAtomic(file: string, content: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = tempName(file);
  try {
    await writeSyncedTemp(tmp, content, mode);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(file));
}

/**
 * Creates `file` with this content only if no file of that name exists; true when this call made
 * it, false when one was already there (that file is left as it was). Written and fsynced under a
 * temp name, then hard-linked into place: link(2) never replaces a name, so of writers racing to
 * create one file exactly one wins, and no reader ever sees it half written.
 */
export async function createFileExclusive(file: string, content: string | Uint8Array, mode = 0o600): Promise<boolean> {
  const tmp = tempName(file);
  try {
    await writeSyncedTemp(tmp, content, mode);
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await fsyncDir(dirname(file));
  return true;
}

/** The same, synchronously: for writers on the way down (an uncaught exception, a hang dump). */
export function writeFileAtomicSync(file: string, content: string | Uint8Array, mode = 0o600): void {
  const tmp = tempName(file);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already gone */
    }
    throw err;
  }
  fsyncDirSync(dirname(file));
}

/** Makes a directory's entries durable (after a rename, create or unlink in it). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes the temp files a killed writer left beside `file`; never the file itself. */
export async function removeStaleTemps(file: string): Promise<void> {
  const prefix = `${basename(file)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix)) await unlink(join(dirname(file), n)).catch(() => {});
}
