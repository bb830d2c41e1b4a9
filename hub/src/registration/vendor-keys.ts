import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPublicKey, type TrustedKey } from '@pitwall/protocol/node';

/**
 * The vendor keys whose birth certificates the hub trusts (`pitwall-hub serve --vendor-keys
 * DIR`): every `*.pem` in DIR, an Ed25519 public key each (the `.pub.pem` `pitwall license
 * keygen` writes). A folder without one is a mistake, not a hub that trusts nobody: refused.
 */
export async function loadVendorKeys(dir: string): Promise<ReadonlyMap<string, TrustedKey>> {
  const keys = new Map<string, TrustedKey>();
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.pem')).sort()) {
    try {
      const k = loadPublicKey(await readFile(join(dir, name), 'utf8'));
      keys.set(k.keyId, k);
    } catch (err) {
      throw new Error(`${join(dir, name)}: ${(err as Error).message}`);
    }
  }
  if (keys.size === 0) throw new Error(`${dir} holds no vendor public key (*.pem)`);
  return keys;
}
