import { generateKeyPair, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const newEd25519 = promisify(generateKeyPair);

/** An SSH wire string: uint32 length, then the bytes. */
const sshString = (b: Buffer | string): Buffer => {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};

/**
 * An Ed25519 pair in OpenSSH's own formats, made in-process (no ssh-keygen to start while the
 * owner waits for "on"): the private key as "openssh-key-v1" without a passphrase (PROTOCOL.key
 * in OpenSSH's sources), the public key as an authorized_keys line.
 */
export async function opensshEd25519(comment: string): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey } = await newEd25519('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4);
  const inner = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const padding = Buffer.from(Array.from({ length: (8 - (inner.length % 8)) % 8 }, (_, i) => i + 1));
  const none = sshString('none');
  const one = Buffer.alloc(4);
  one.writeUInt32BE(1);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), none, none, sshString(''), one, sshString(blob), sshString(Buffer.concat([inner, padding]))]);
  const lines = body.toString('base64').match(/.{1,70}/g)!.join('\n');
  return { privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`, publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}` };
}

/**
 * An OpenSSH key pair made on the unit (the private half never leaves it, mode
 * 0600). A fresh pair each time support is turned on, removed when it ends: the relay's
 * authorisation of an old key is then of no use to anyone.
 */
export async function makeSshKey(file: string, comment: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await removeSshKey(file);
  const pair = await opensshEd25519(comment);
  // 'wx': created here, 0600 from the start (never readable by others, not even for a moment).
  await writeFile(file, pair.privateKey, { mode: 0o600, flag: 'wx' });
  await writeFile(`${file}.pub`, `${pair.publicKey}\n`, { mode: 0o644, flag: 'wx' });
  return pair.publicKey;
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
