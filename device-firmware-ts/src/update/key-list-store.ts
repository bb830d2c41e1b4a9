import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError, vendorKeyList } from '@pitwall/protocol';
import { keySetFromList, pinnedKeySet, writeFileAtomic, type VendorKeySet } from '@pitwall/protocol/node';

/**
 * The vendor keys this unit trusts, kept on the data partition (not in a slot, so a rollback of
 * the runtime never rolls back the key list): the pinned keys until a signed key list arrives,
 * then the newest list accepted. A list only replaces the held one with a higher sequence, which
 * applyKeyList checks; this store only keeps the result.
 */
export class KeyListStore {
  private constructor(
    private readonly file: string,
    private set: VendorKeySet,
  ) {}

  /**
   * Opens the store. A held list that cannot be read is an error, not a fall-back to the pinned
   * keys: falling back would bring revoked keys back.
   */
  static async open(file: string, pinnedPems: readonly string[]): Promise<KeyListStore> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new KeyListStore(file, pinnedKeySet(pinnedPems));
      throw err;
    }
    let set: VendorKeySet;
    try {
      set = keySetFromList(vendorKeyList.parse(JSON.parse(text)));
    } catch (err) {
      throw new BundleError('bad-key-list', `the unit's vendor key list ${file} is damaged (${(err as Error).message.slice(0, 120)}); updates stay refused until it is restored`);
    }
    return new KeyListStore(file, set);
  }

  current(): VendorKeySet {
    return this.set;
  }

  /** Keeps a newer key set (from a bundle that was verified and installed). */
  async save(next: VendorKeySet): Promise<void> {
    if (next.sequence <= this.set.sequence || !next.list) return;
    await writeFileAtomic(this.file, JSON.stringify(next.list), 0o644);
    this.set = next;
  }
}

/** The pinned vendor public keys shipped with the runtime: every *.pem in dir. */
export async function readPinnedKeys(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.pem')).sort();
  return Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
}
