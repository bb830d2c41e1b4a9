import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompanionError,
  REVOCATION_LIST_FILE_MAX_B,
  REVOCATION_LIST_PAYLOAD_TYPE,
  revocationList,
  type HeldRevocationList,
  type RevocationList,
} from '@pitwall/protocol';
import { verifyRevocationListFile, writeFileAtomic } from '@pitwall/protocol/node';
import { readSignedFile, type SignedFile } from './signed-file.js';

/** The list held: its signed text (sent to units unchanged) and what it says. */
export interface HeldList {
  text: string;
  list: RevocationList;
  view: HeldRevocationList;
}

/** One file: the signed list's text with when and from whom it was taken (one atomic write). */
const FILE = 'revocations.json';

function listOf(payload: unknown, where: string): RevocationList {
  try {
    return revocationList.parse(payload);
  } catch (err) {
    throw new CompanionError('invalid-params', `${where} is not a revocation list this companion understands: ${(err as Error).message.slice(0, 200)}`);
  }
}

/**
 * The newest signed licence revocation list this companion has seen, which it carries to every
 * unit it talks to. Kept in `<dataDir>/license/` (written atomically); a list is taken only when
 * it verifies against this companion's vendor keys and is newer than the one held, so nothing
 * (a replayed old file, a forged high number) can make the companion carry less.
 */
export class RevocationHolder {
  private held: HeldList | null = null;
  /** Offers run one at a time: two imports at once cannot both compare against the same held list. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string | null,
    private readonly vendorKeysDir: string | null,
  ) {}

  /** Loads the held list from `dir` (null: memory only), at start-up. A damaged file is reported and not held. */
  static open(dir: string | null, vendorKeysDir: string | null, log: (m: string) => void = () => undefined): RevocationHolder {
    const h = new RevocationHolder(dir, vendorKeysDir);
    if (!dir) return h;
    let stored: string;
    try {
      stored = readFileSync(join(dir, FILE), 'utf8');
    } catch {
      return h;
    }
    try {
      const { text, signerKeyId, importedAt } = JSON.parse(stored) as { text: string; signerKeyId: string; importedAt: number };
      const payload: unknown = JSON.parse(Buffer.from((JSON.parse(text) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload, 'base64').toString('utf8'));
      const list = listOf(payload, 'the held revocation list');
      h.held = { text, list, view: view(list, signerKeyId, importedAt) };
    } catch (err) {
      log(`the held revocation list in ${dir} is damaged and is not carried: ${(err as Error).message}`);
    }
    return h;
  }

  current(): HeldList | null {
    return this.held;
  }

  /** Reads a revocation list file and keeps it when it is newer (see `offer`). */
  async importFile(path: string): Promise<HeldRevocationList> {
    const file = await readSignedFile(path, { payloadType: REVOCATION_LIST_PAYLOAD_TYPE, maxB: REVOCATION_LIST_FILE_MAX_B, what: 'revocation list', vendorKeysDir: this.vendorKeysDir, verify: verifyRevocationListFile });
    return this.offer(file);
  }

  /**
   * Keeps a signed list if it verifies and is newer than the one held; the same list again
   * changes nothing; an older one, or another list under the held number, is refused (conflict).
   */
  offer(file: SignedFile): Promise<HeldRevocationList> {
    const run = this.queue.then(() => this.take(file));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async take(file: SignedFile): Promise<HeldRevocationList> {
    const list = listOf(file.payload, file.path);
    if (!file.verified) {
      const why = file.verifyNote ?? 'its signature is not verified';
      throw new CompanionError('invalid-params', `${file.path} is not kept: this companion carries only revocation lists it can verify (${why}); vendor keys go in ${this.vendorKeysDir ?? 'the data folder'}`);
    }
    const held = this.held;
    if (held && list.number === held.list.number && file.text === held.text) return held.view;
    if (held && list.number <= held.list.number) {
      throw new CompanionError(
        'conflict',
        list.number < held.list.number
          ? `revocation list ${list.number} is older than list ${held.list.number}, which this companion holds: kept ${held.list.number}`
          : `revocation list ${list.number} differs from the list ${held.list.number} this companion holds under the same number: kept the one held`,
      );
    }
    const next: HeldList = { text: file.text, list, view: view(list, file.signerKeyId, Date.now()) };
    if (this.dir) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(join(this.dir, FILE), JSON.stringify({ text: next.text, signerKeyId: file.signerKeyId, importedAt: next.view.importedAt }), 0o600);
    }
    this.held = next;
    return next.view;
  }
}

function view(list: RevocationList, signerKeyId: string, importedAt: number): HeldRevocationList {
  return { number: list.number, issued: list.issued, revokedCount: list.revoked.length, signerKeyId, importedAt };
}
