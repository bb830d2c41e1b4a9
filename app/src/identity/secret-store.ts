import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@pitwall/protocol/node';

/**
 * Where the companion keeps its one secret (the operator's private key). The core only sees
 * this interface: the default is a 0600 file in the user-data directory; the Electron main
 * process provides one backed by the OS keychain (`safeStorage`).
 */
export interface SecretStore {
  readonly kind: 'safe-storage' | 'file';
  /** The stored secret, or null when nothing was stored yet. */
  load(): Promise<Buffer | null>;
  /** Replaces the secret; after a crash the old or the new one is there, never a torn one. */
  save(secret: Buffer): Promise<void>;
}

export const OPERATOR_KEY_FILE = 'operator-key.json';

/** The secret as a 0600 file (default: `operator-key.json` in the user-data directory). */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;
  constructor(readonly path: string) {}

  static inDir(dataDir: string, file = OPERATOR_KEY_FILE): FileSecretStore {
    return new FileSecretStore(join(dataDir, file));
  }

  async load(): Promise<Buffer | null> {
    try {
      return await readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  save(secret: Buffer): Promise<void> {
    return writeFileAtomic(this.path, secret);
  }
}

/** Keeps the secret in memory only (discovery without a data directory, tests). */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'file' as const;
  private secret: Buffer | null = null;
  async load(): Promise<Buffer | null> {
    return this.secret && Buffer.from(this.secret);
  }
  async save(secret: Buffer): Promise<void> {
    this.secret = Buffer.from(secret);
  }
}

/**
 * Encrypts with a cipher pair (Electron's safeStorage encryptString/decryptString) and keeps
 * the ciphertext in a 0600 file. `main/` passes safeStorage in; this file never imports electron.
 */
export class EncryptedFileSecretStore implements SecretStore {
  readonly kind = 'safe-storage' as const;
  constructor(
    readonly path: string,
    private readonly cipher: { encryptString(plain: string): Buffer; decryptString(encrypted: Buffer): string },
  ) {}

  async load(): Promise<Buffer | null> {
    try {
      const enc = await readFile(this.path);
      return Buffer.from(this.cipher.decryptString(enc), 'base64');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`the operator key in ${this.path} cannot be decrypted (${(err as Error).message})`);
    }
  }

  save(secret: Buffer): Promise<void> {
    return writeFileAtomic(this.path, this.cipher.encryptString(secret.toString('base64')));
  }
}
