import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBundle, loadSigningKey, signBundle, signKeyList, type SigningKey } from '@pitwall/protocol/node';
import type { DowngradePermission, VendorKeyList } from '@pitwall/protocol';

/** A fresh Ed25519 vendor key, as `pitwall bundle keygen` makes one. */
export function vendorKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return loadSigningKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** A runtime build: a few files in subdirectories, their bytes derived from `tag` (same tag, same bytes). */
export async function runtimeDir(dir: string, tag: string, sizes: number[] = [70_000, 1_000, 300_000]): Promise<string> {
  await mkdir(join(dir, 'dist', 'api'), { recursive: true });
  const names = ['cli.js', 'api/routes.js', 'runtime.js'];
  for (const [i, size] of sizes.entries()) {
    const bytes = Buffer.alloc(size);
    let seed = createHash('sha256').update(`${tag}:${i}`).digest();
    for (let at = 0; at < size; at += 32) {
      seed.copy(bytes, at);
      seed = createHash('sha256').update(seed).digest();
    }
    await writeFile(join(dir, 'dist', names[i % names.length] as string), bytes);
  }
  return join(dir, 'dist');
}

export interface MakeBundle {
  dir: string;
  tag: string;
  version?: string;
  models?: string[];
  minReplaceVersion?: string;
  downgrade?: DowngradePermission;
  /** null: leave the bundle unsigned, as `bundle build` writes it. */
  key: SigningKey | null;
  keyList?: { list: VendorKeyList; signer: SigningKey };
  sizes?: number[];
}

/** Builds (and unless key is null, signs) a bundle the way the vendor tooling does; returns its bytes. */
export async function makeBundle(o: MakeBundle): Promise<Buffer> {
  const work = join(o.dir, `make-${o.tag}-${Math.random().toString(36).slice(2)}`);
  await mkdir(work, { recursive: true });
  const runtime = await runtimeDir(work, o.tag, o.sizes);
  const unsigned = join(work, 'unsigned.pwb');
  await buildBundle(
    {
      runtimeDir: runtime,
      runtimeVersion: o.version ?? '1.2.0',
      compatibleModels: o.models ?? ['pw-1'],
      minReplaceVersion: o.minReplaceVersion ?? '1.0.0',
      buildTime: new Date('2026-11-01T10:00:00Z'),
      ...(o.downgrade ? { downgrade: o.downgrade } : {}),
    },
    unsigned,
  );
  if (o.key === null) return readFile(unsigned);
  const signed = join(work, 'signed.pwb');
  const keyListJson = o.keyList ? await signKeyList(o.keyList.list, o.keyList.signer) : undefined;
  await signBundle(unsigned, signed, o.key, keyListJson);
  return readFile(signed);
}

export const keyListOf = (sequence: number, keys: SigningKey[], revoked: SigningKey[] = []): VendorKeyList => ({
  format: 1,
  sequence,
  keys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKeyPem })),
  revokedKeyIds: revoked.map((k) => k.keyId),
});

/** A sender handing out `bytes` in chunks, optionally waiting before each chunk. */
export async function* sender(bytes: Uint8Array, chunk = 64 * 1024, delayMs = 0): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunk) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    yield bytes.subarray(at, Math.min(bytes.length, at + chunk));
  }
}

/** Every file under dir (and the dir's siblings that share its name) as path -> sha256, to compare before and after. */
export async function snapshot(parent: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let names: string[] = [];
  try {
    names = await readdir(parent, { recursive: true, encoding: 'utf8' });
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const abs = join(parent, n);
    const st = await stat(abs);
    out[n] = st.isDirectory() ? 'dir' : createHash('sha256').update(await readFile(abs)).digest('hex');
  }
  return out;
}
