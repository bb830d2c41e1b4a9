import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BootRecord } from '@pitwall/protocol/update';
import { removeStaleTemps, writeFileAtomic } from '@pitwall/protocol/node';
import type { Logger } from '../ops/logger.js';
import { decodeBootRecord, encodeBootRecord, MAX_RECORD_BYTES, newestCopy, type DecodedCopy } from './boot-record-codec.js';
import { bootDir, lastMarkedGood } from './slot-layout.js';

export const RECORD_COPIES = ['record.0', 'record.1'] as const;

export interface ReadRecord {
  record: BootRecord;
  /** How the record was found: both copies good, one fallen back to, or the safe default. */
  source: 'both' | 'one-copy' | 'default' | 'first-boot';
  problems: string[];
}

/** A fresh record: slot `active` good, nothing on trial, no update. */
export function initialRecord(active: BootRecord['active'], now = new Date()): BootRecord {
  return {
    format: 1,
    seq: 0,
    active,
    tried: null,
    attemptsLeft: 0,
    lastGood: active,
    slots: { A: { version: null, status: 'empty' }, B: { version: null, status: 'empty' } },
    update: { state: 'idle', target: null, version: null, progress: 0, lastError: null, bootFailures: [], entries: {}, changedAt: now.toISOString() },
  };
}

async function readCopy(file: string): Promise<DecodedCopy> {
  let bytes: Buffer | null;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, problem: (err as Error).message };
    bytes = null;
  }
  return decodeBootRecord(bytes && bytes.length > MAX_RECORD_BYTES ? bytes.subarray(0, MAX_RECORD_BYTES + 1) : bytes);
}

/**
 * The boot-state record, kept as two copies each replaced atomically (write-temp, fsync, rename,
 * fsync dir) one after the other: a cut between the two leaves one old and one new copy, a
 * storage that tears a rename anyway leaves one whole copy; the newest valid copy wins. Both lost
 * (never both written at once) is met with a logged safe default: the slot that last passed its
 * health gate by its own mark, else slot A.
 */
export class BootRecordStore {
  constructor(
    readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  private file(i: 0 | 1): string {
    return join(bootDir(this.dataDir), RECORD_COPIES[i]);
  }

  async read(): Promise<ReadRecord> {
    const [a, b] = [await readCopy(this.file(0)), await readCopy(this.file(1))];
    const problems = [a, b].flatMap((c, i) => (c.ok ? [] : [`${RECORD_COPIES[i]}: ${c.problem}`]));
    const newest = newestCopy(a, b);
    if (newest && a.ok && b.ok) return { record: newest, source: 'both', problems };
    if (newest) {
      this.log.warn(`boot record: one copy unusable (${problems.join('; ')}); using the other (seq ${newest.seq})`);
      return { record: newest, source: 'one-copy', problems };
    }
    if (!a.ok && !b.ok && a.problem === 'missing' && b.problem === 'missing') {
      return { record: initialRecord((await lastMarkedGood(this.dataDir)) ?? 'A'), source: 'first-boot', problems };
    }
    const good = await lastMarkedGood(this.dataDir);
    const slot = good ?? 'A';
    const why = `boot record lost (${problems.join('; ')}): booting ${good ? `slot ${slot}, the last to pass its health gate` : 'slot A (no slot marked good)'}`;
    this.log.error(why);
    const record = initialRecord(slot);
    record.update = { ...record.update, state: 'failed', lastError: why.slice(0, 500) };
    return { record, source: 'default', problems };
  }

  /** Writes both copies with the sequence number raised past `record.seq`. */
  async write(record: BootRecord): Promise<BootRecord> {
    const next = { ...record, seq: record.seq + 1 };
    const bytes = encodeBootRecord(next);
    await mkdir(bootDir(this.dataDir), { recursive: true });
    for (const i of [0, 1] as const) {
      await removeStaleTemps(this.file(i));
      await writeFileAtomic(this.file(i), bytes, 0o644);
    }
    return next;
  }

  /** Read, change, write: `change` returns the new record (or null to leave it as it is). */
  async update(change: (r: BootRecord) => BootRecord | null): Promise<BootRecord> {
    const { record } = await this.read();
    const next = change(structuredClone(record));
    return next ? this.write(next) : record;
  }
}
