import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { safeStorage as SafeStorage } from 'electron';
import { EncryptedFileSecretStore, FileSecretStore, OPERATOR_KEY_FILE, type SecretStore } from '@pitwall/app';

export const ENCRYPTED_OPERATOR_KEY_FILE = 'operator-key.safe';

export type SafeStorageLike = Pick<typeof SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & Partial<Pick<typeof SafeStorage, 'getSelectedStorageBackend'>>;

/** Where the operator key is kept, and what the user must be told about it (null: nothing to tell). */
export interface OperatorKeyPlace {
  store: SecretStore;
  notice: string | null;
}

/**
 * The operator key store for the desktop app: encrypted with the OS keychain through Electron's
 * safeStorage when there is one. Without a keychain (no encryption, or on Linux the
 * `basic_text` backend, which encrypts with a key fixed in Electron's source and so protects
 * nothing) the key goes to a 0600 file, and the user is told so and where it is. A key already
 * kept in the plain file stays there (units know this operator by it; moving it is a separate
 * step).
 */
export function operatorKeyPlace(dataDir: string, safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): OperatorKeyPlace {
  const plain = join(dataDir, OPERATOR_KEY_FILE);
  const encrypted = join(dataDir, ENCRYPTED_OPERATOR_KEY_FILE);
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  const noKeychain = !safeStorage.isEncryptionAvailable() || backend === 'basic_text';
  const why = backend === 'basic_text' ? 'found no system keychain (Secret Service or KWallet) to encrypt it with' : 'cannot encrypt it on this system';
  const inFile = (path: string) =>
    `Your operator key is kept in ${path}, a file only your user account can read (mode 0600). The companion ${why}: anyone who can read your files can act as this companion with your units. Install and unlock a keychain (GNOME Keyring or KWallet) to have new keys encrypted.`;
  if (existsSync(plain)) {
    return { store: new FileSecretStore(plain), notice: noKeychain ? inFile(plain) : `Your operator key is kept in ${plain}, a file only your user account can read (mode 0600), where it was stored before; the system keychain is not used for it.` };
  }
  if (!noKeychain) return { store: new EncryptedFileSecretStore(encrypted, safeStorage), notice: null };
  // Written earlier with the fixed key: moving it is a separate step, so it stays, and the user knows.
  if (existsSync(encrypted)) return { store: new EncryptedFileSecretStore(encrypted, safeStorage), notice: inFile(encrypted).replace('(mode 0600).', '(mode 0600), under an encryption that does not protect it.') };
  return { store: new FileSecretStore(plain), notice: inFile(plain) };
}

/** Where the hub member token is kept: encrypted with the OS keychain when there is a real one, else a 0600 file (as the operator key). */
export function hubTokenStore(dataDir: string, safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretStore {
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  const keychain = safeStorage.isEncryptionAvailable() && backend !== 'basic_text';
  return keychain ? new EncryptedFileSecretStore(join(dataDir, 'hub-token.safe'), safeStorage) : FileSecretStore.inDir(dataDir, 'hub-token');
}
