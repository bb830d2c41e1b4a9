import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Support staff's side of a unit's read-only export, reached through the support relay with the
 * OpenSSH `sftp` client: spawned with an argv array (no shell), no config file, batch mode, the
 * export's host key pinned (from the unit's support status), commands on stdin (`-b -`).
 * The unit is a peer we do not trust: every remote name is checked before it reaches sftp (or a
 * local path), the listing's size is bounded, and anything unexpected is refused with a clear
 * error.
 */
export interface ExportAccess {
  /** Where the tunnel's listen port is reachable from here (on the relay: 127.0.0.1 and its listenPort). */
  host: string;
  port: number;
  /** The export's account (the unit's support.exportUser). */
  user: string;
  /** Support staff's private key. */
  keyFile: string;
  /** The export's host key as the unit's support status gives it ("ssh-ed25519 AAAA..."). */
  exportHostKey: string;
  timeoutMs?: number;
}

export interface ExportEntry {
  name: string;
  kind: 'file' | 'folder' | 'other';
  bytes: number;
}

export interface ExportListing {
  entries: ExportEntry[];
  /** Names the export showed that were refused (unsafe or unparsable), described, not echoed raw. */
  refused: number;
}

export class ExportError extends Error {}

/** At most this many entries in one folder's listing, and this much sftp output. */
export const LISTING_MAX_ENTRIES = 5000;
const OUTPUT_MAX_BYTES = 2 * 1024 * 1024;
// sftp expands globs in get/ls and parses quotes and backslashes: none of those in a name.
const UNSAFE = /[/\\"'*?[\]\p{Cc}]|^\.\.?$|^-|\.\./u;

/** Why a remote name is refused, or null when it is safe to hand to sftp and to use as a local file name. */
export function unsafeName(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'empty or longer than 255 characters';
  if (UNSAFE.test(name)) return 'contains /, .., a control character, a quote, a backslash or a glob character, or starts with -';
  return null;
}

/** A path inside the export ("logs/pitwall.log", "" for the top): its checked segments. */
export function exportPath(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  for (const s of segments) {
    const why = unsafeName(s);
    if (why) throw new ExportError(`refused path ${JSON.stringify(path)}: a segment ${why}`);
  }
  return segments;
}

function knownHosts(a: ExportAccess, dir: string): string {
  if (!/^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/=]+$/.test(a.exportHostKey.trim().split(' ').slice(0, 2).join(' '))) throw new ExportError('the export host key is not an OpenSSH public key');
  const file = join(dir, 'known_hosts');
  const host = a.port === 22 ? a.host : `[${a.host}]:${a.port}`;
  writeFileSync(file, `${host} ${a.exportHostKey.trim().split(' ').slice(0, 2).join(' ')}\n`, { mode: 0o600 });
  return file;
}

/** Runs one sftp batch; resolves with its stdout, or rejects with sftp's error (output bounded). */
function runSftp(a: ExportAccess, batch: string): Promise<string> {
  if (!/^[A-Za-z0-9.:_-]+$/.test(a.host) || !/^[a-z_][a-z0-9_-]*$/.test(a.user)) throw new ExportError('refused relay host or export user');
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-support-sftp-'));
  const args = ['-F', '/dev/null', '-q', '-P', String(a.port), '-i', a.keyFile, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts(a, dir)}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'UpdateHostKeys=no', '-o', 'ConnectTimeout=15', '-b', '-', `${a.user}@${a.host}`];
  return new Promise<string>((resolve, reject) => {
    const c = spawn('sftp', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let tooBig = false;
    const timer = setTimeout(() => c.kill('SIGKILL'), a.timeoutMs ?? 120_000);
    c.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > OUTPUT_MAX_BYTES) {
        tooBig = true;
        c.kill('SIGKILL');
      } else out.push(d);
    });
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    c.on('error', (e) => reject(new ExportError(`sftp could not start: ${e.message}`)));
    c.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      if (tooBig) reject(new ExportError(`the export's listing is larger than ${OUTPUT_MAX_BYTES} bytes: refused`));
      else if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new ExportError(`sftp failed (${signal ?? `exit ${code}`}): ${err.replace(/\p{Cc}+/gu, ' ').trim().slice(-500)}`));
    });
    c.stdin.on('error', () => undefined); // sftp exits before reading its batch when it cannot connect (EPIPE)
    c.stdin.end(batch);
  });
}

// `ls -lna`: "-rw-r--r--    1 0        0            1234 Dec  6 15:00 name" (names may hold spaces).
const LONG = /^([-dlcbps])[-rwxsStT]{9}\S*\s+\S+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\d+\s+\S+\s(.+)$/;

/** Lists one folder of the export (path "" for its top). */
export async function listExport(a: ExportAccess, path = ''): Promise<ExportListing> {
  const segments = exportPath(path);
  const out = await runSftp(a, `ls -lna "/${segments.join('/')}"\n`);
  const prefix = segments.length === 0 ? '/' : `/${segments.join('/')}/`;
  const entries: ExportEntry[] = [];
  let refused = 0;
  let lastWasEntry = false;
  for (const line of out.split('\n')) {
    if (line === '' || line.startsWith('sftp>')) continue;
    const m = LONG.exec(line);
    // The name is the last field, printed with the folder in front: exactly that folder, or refused.
    const name = m && m[3]!.startsWith(prefix) ? m[3]!.slice(prefix.length) : null;
    if (name === '.' || name === '..') continue;
    if (!m || name === null || unsafeName(name) !== null) {
      // A line that is not an entry continues the name before it (it held a newline): that one goes too.
      // (Names hold no '/', so a line without the folder in front is never an entry of its own.)
      if ((!m || name === null) && lastWasEntry) entries.pop();
      refused++;
      lastWasEntry = false;
      continue;
    }
    lastWasEntry = true;
    if (entries.length >= LISTING_MAX_ENTRIES) throw new ExportError(`the export's folder holds more than ${LISTING_MAX_ENTRIES} entries: refused`);
    entries.push({ name, kind: m[1] === '-' ? 'file' : m[1] === 'd' ? 'folder' : 'other', bytes: Number(m[2]) });
  }
  entries.sort((x, y) => x.name.localeCompare(y.name));
  return { entries, refused };
}

/**
 * Downloads one file of the export into `folder` (the user's choice) under its own name. sftp
 * streams it to a `.partial` file renamed into place at the end; an existing file is not replaced.
 */
export async function downloadExportFile(a: ExportAccess, path: string, folder: string): Promise<{ file: string; bytes: number }> {
  const segments = exportPath(path);
  const name = segments.at(-1);
  if (!name) throw new ExportError('name a file of the export to download');
  if (/["\\\p{Cc}]/u.test(folder)) throw new ExportError('the download folder\'s path holds a quote, a backslash or a control character: choose another folder');
  const file = join(folder, name);
  try {
    statSync(file);
    throw new ExportError(`${file} already exists: not replaced`);
  } catch (e) {
    if (e instanceof ExportError) throw e;
  }
  const partial = `${file}.partial`;
  try {
    await runSftp(a, `get "/${segments.join('/')}" "${partial}"\n`);
    renameSync(partial, file);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  return { file, bytes: statSync(file).size };
}
