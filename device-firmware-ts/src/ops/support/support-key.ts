import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * An OpenSSH key pair made on the unit with ssh-keygen (the private half never leaves it, mode
 * 0600). A fresh pair each time support is turned on, removed when it ends: the relay's
 * authorisation of an old key is then of no use to anyone.
 */
export async function makeSshKey(file: string, comment: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await removeSshKey(file);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  await chmod(file, 0o600);
  return publicKeyOf(file);
}

/** "ssh-ed25519 AAAA... comment" of the pair at `file`, or null when there is none. */
export async function publicKeyOf(file: string): Promise<string> {
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

export async function removeSshKey(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.pub`, { force: true });
}

/** The key's type and base64 body only: what goes into a key line (the comment is the holder's). */
export function keyBody(publicKey: string): string {
  return publicKey.split(' ').slice(0, 2).join(' ');
}

/** expiry-time's format, UTC, rounded up to the next whole minute (sshd reads minutes). */
export function sshExpiryTime(endWallMs: number): string {
  const d = new Date(Math.ceil(endWallMs / 60_000) * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}Z`;
}

/**
 * The relay's authorized_keys line for the unit's key: no shell, no command (`restrict` alone
 * still runs one), no -L, and one listen port on the relay's loopback, until the end of support.
 */
export function relayKeyLine(publicKey: string, listenPort: number, endWallMs: number): string {
  return `restrict,port-forwarding,permitlisten="127.0.0.1:${listenPort}",command="/bin/false",expiry-time="${sshExpiryTime(endWallMs)}" ${publicKey}`;
}
