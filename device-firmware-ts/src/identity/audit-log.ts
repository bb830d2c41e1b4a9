import { mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { auditRecord, type AuditRecord } from '@pitwall/protocol';
import type { Logger } from '../ops/logger.js';
import { defaultWriteSome, openAuditStream, streamFiles, type AuditStream, type WriteSome } from './audit-stream.js';

export type AuditEntry = Omit<AuditRecord, 'time' | 'seq'>;

export interface AuditLog {
  /**
   * Appends one security record (pairings, revocations, window openings, identity events) to
   * audit.jsonl, fsync'd before the promise resolves: true once it is durable, false when it
   * could not be written (logged). A caller whose action must be on record undoes it on false.
   */
  write(entry: AuditEntry): Promise<boolean>;
  /**
   * A refusal, kept apart from the security records (refusals.jsonl, its own bound, no fsync
   * each) so that a flood of refusals never rotates a pairing away. Identical refusals (same
   * key; callers put the source address in it) inside one window are counted, not written: the
   * first is written at once, the rest as one summary when the window ends.
   */
  refuse(key: string, entry: AuditEntry): void;
  /**
   * The records of both files with seq > `after`, in seq order, at most `limit`: a torn line
   * (power cut mid-append), one that is not an AuditRecord or one whose seq is not above the last
   * yielded is skipped. seq is shared by both files and written without holes (short of a failed
   * write), so a first record above `after + 1` tells the reader that the ones between were
   * rotated away (refusals rotate sooner than security records).
   */
  read(after: number, limit: number): AsyncGenerator<AuditRecord>;
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** Identical refusals inside this window are summarised (default 10 s). */
  windowMs?: number;
  /** audit.jsonl is rotated before an append would take it past this size (default 1 MiB). */
  maxBytes?: number;
  /** Rotated files kept, audit.1.jsonl (newest) to audit.KEEP.jsonl (default 4). */
  keep?: number;
  /** The same for refusals.jsonl (default 256 KiB, 1 rotated file). */
  refusalMaxBytes?: number;
  refusalKeep?: number;
  /**
   * One write(2) of `data` to audit.jsonl: the bytes written, which may be fewer than asked (a
   * disk filling up), or a rejection. Only for tests that make an append fail part-way; the
   * default is the file handle's write.
   */
  writeSome?: WriteSome;
}

const REFUSAL_WINDOW_MS = 10_000;
const MAX_BYTES = 1024 * 1024;
const KEEP = 4;
const REFUSAL_MAX_BYTES = 256 * 1024;
const REFUSAL_KEEP = 1;
const MAX_REFUSAL_KEYS = 256;
const MAX_DETAIL = 500;

/**
 * The security records' files, oldest first: DATA_DIR/audit/audit.KEEP.jsonl … audit.1.jsonl,
 * then audit.jsonl (any of them may be missing). Reading them in this order gives the security
 * records in seq order; the refusals are in refusalFiles().
 */
export function auditFiles(dataDir: string, keep = KEEP): string[] {
  return streamFiles(join(dataDir, 'audit'), 'audit', keep);
}

/** The refusals' files, oldest first (refusals.1.jsonl, refusals.jsonl by default). */
export function refusalFiles(dataDir: string, keep = REFUSAL_KEEP): string[] {
  return streamFiles(join(dataDir, 'audit'), 'refusals', keep);
}

/** The valid records of a stream's open files with seq > after, in file order, seq increasing (the caller closes the files). */
async function* recordsOf(handles: FileHandle[], after: number): AsyncGenerator<AuditRecord> {
  let lastRead = after;
  for (const h of handles) {
    const input = h.createReadStream({ encoding: 'utf8', autoClose: false });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.includes('"seq"')) continue;
        let rec: unknown;
        try {
          rec = JSON.parse(line);
        } catch {
          continue;
        }
        if (!auditRecord.is(rec) || rec.seq <= lastRead) continue;
        lastRead = rec.seq;
        yield rec;
      }
    } finally {
      lines.close();
      input.destroy();
    }
  }
}

/**
 * DATA_DIR/audit/: security records in audit.jsonl (rotated at maxBytes, `keep` old files: 5 MiB
 * by default), refusals in refusals.jsonl (256 KiB, 1 old file), one seq across both, increasing
 * across restarts and rotations. A flood of refusals rotates only refusals: a pairing stays on
 * record until 4 MiB of later security records (thousands of pairings and window openings,
 * each needing a button press or an owner) push it out.
 */
export async function openAuditLog(dataDir: string, log: Logger, opts: AuditLogOptions = {}): Promise<AuditLog> {
  const { windowMs = REFUSAL_WINDOW_MS, maxBytes = MAX_BYTES, keep = KEEP, writeSome = defaultWriteSome } = opts;
  const { refusalMaxBytes = REFUSAL_MAX_BYTES, refusalKeep = REFUSAL_KEEP } = opts;
  for (const [b, k] of [[maxBytes, keep], [refusalMaxBytes, refusalKeep]] as const) {
    if (!(b >= 1 && Number.isInteger(k) && k >= 1)) throw new RangeError(`audit log: bad limits (maxBytes ${b}, keep ${k})`);
  }
  const dir = join(dataDir, 'audit');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const security = await openAuditStream({ dir, base: 'audit', maxBytes, keep, sync: true, writeSome, log });
  const refusals = await openAuditStream({ dir, base: 'refusals', maxBytes: refusalMaxBytes, keep: refusalKeep, sync: false, writeSome: defaultWriteSome, log });
  let seq = Math.max(security.lastSeq, refusals.lastSeq);
  let closed = false;
  const pending = new Map<string, { entry: AuditEntry; count: number; fingerprints: Set<string> }>();
  let timer: NodeJS.Timeout | null = null;

  const append = (stream: AuditStream, entry: AuditEntry): Promise<boolean> => {
    if (closed) return Promise.resolve(false);
    const rec: AuditRecord = { time: new Date().toISOString(), seq: ++seq, ...entry, detail: entry.detail.slice(0, MAX_DETAIL) };
    auditRecord.parse(rec);
    return stream.append(`${JSON.stringify(rec)}\n`).then(
      () => true,
      (err: Error) => {
        log.error(`audit log: ${err.message}`);
        return false;
      },
    );
  };

  const flush = () => {
    timer = null;
    for (const [, p] of pending) {
      if (p.count === 0) continue;
      void append(refusals, {
        ...p.entry,
        operatorFingerprint: p.fingerprints.size === 1 ? [...p.fingerprints][0]! : null,
        detail: `${p.count} more identical refusal(s) in ${windowMs / 1000} s (${p.fingerprints.size} distinct key(s)): ${p.entry.detail}`,
      });
    }
    pending.clear();
  };

  return {
    write: (entry) => append(security, entry),
    refuse(key, entry) {
      if (closed) return;
      const k = pending.size >= MAX_REFUSAL_KEYS && !pending.has(key) ? 'overflow' : key;
      const p = pending.get(k);
      if (p) {
        p.count++;
        if (entry.operatorFingerprint && p.fingerprints.size < 1000) p.fingerprints.add(entry.operatorFingerprint);
        return;
      }
      pending.set(k, { entry: k === 'overflow' ? { ...entry, detail: `(refusals of many kinds and sources) ${entry.detail}` } : entry, count: 0, fingerprints: new Set() });
      void append(refusals, entry);
      if (!timer) {
        timer = setTimeout(flush, windowMs);
        timer.unref();
      }
    },
    async *read(after, limit) {
      if (limit < 1) return;
      // Each stream's files are opened between its appends; an open file stays readable whatever
      // is renamed or dropped after.
      const handles = await security.openAll();
      const split = handles.length;
      try {
        handles.push(...(await refusals.openAll()));
      } catch (err) {
        await Promise.all(handles.map((h) => h.close()));
        throw err;
      }
      const a = recordsOf(handles.slice(0, split), after);
      const b = recordsOf(handles.slice(split), after);
      let n = 0;
      let lastRead = after;
      try {
        let x = await a.next();
        let y = await b.next();
        while (!x.done || !y.done) {
          let rec: AuditRecord;
          if (y.done || (!x.done && x.value.seq <= y.value.seq)) {
            rec = x.value as AuditRecord;
            x = await a.next();
          } else {
            rec = y.value;
            y = await b.next();
          }
          if (rec.seq <= lastRead) continue;
          lastRead = rec.seq;
          yield rec;
          if (++n >= limit) return;
        }
      } finally {
        await a.return(undefined);
        await b.return(undefined);
        await Promise.all(handles.map((h) => h.close()));
      }
    },
    async close() {
      if (timer) clearTimeout(timer);
      flush();
      closed = true;
      await security.close();
      await refusals.close();
    },
  };
}
