import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { safeStorage as SafeStorage } from 'electron';
import { EncryptedFileSecretStore, FileSecretStore, OPERATOR_KEY_FILE, type SecretStore } from '@pitwall/app';

export const ENCRYPTED_OPERATOR_KEY_FILE = 'operator-key.safe';

/**
 * The operator key store for the desktop app: encrypted with the OS keychain through Electron's
 * safeStorage when it is available, else the 0600 file. A key already kept in the plain file
 * stays there (units know this operator by it; moving it is a separate step).
 */
export function operatorSecretStore(dataDir: string, safeStorage: Pick<typeof SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>): SecretStore {
  const plain = join(dataDir, OPERATOR_KEY_FILE);
  if (existsSync(plain) || !safeStorage.isEncryptionAvailable()) return new FileSecretStore(plain);
  return new EncryptedFileSecretStore(join(dataDir, ENCRYPTED_OPERATOR_KEY_FILE), safeStorage);
}
