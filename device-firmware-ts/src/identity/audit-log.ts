import { access, mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { auditRecord, type AuditRecord } from '@pitwall/protocol';
import { fsyncDir } from './atomic-file.js';
import type { Logger } from '../ops/logger.js';

export type AuditEntry = Omit<AuditRecord, 'time' | 'seq'>;

export interface AuditLog {
  /** Appends one record (fsync'd before the promise resolves). */
  write(entry: AuditEntry): Promise<void>;
  /**
   * A refusal. Identical refusals (same key) inside one window are counted, not written:
   * the first is written at once, the rest as one summary when the window ends.
   */
  refuse(key: string, entry: AuditEntry): void;
  /**
   * The records with seq > `after`, oldest first, at most `limit`, read across the rotated files
   * and the current one: a torn line (power cut mid-append), one that is not an AuditRecord or
   * one whose seq is not above the last yielded is skipped. seq is written without holes (short
   * of a failed write), so a first record above `after + 1` tells the reader that the ones between
   * were rotated away.
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
  /**
   * One write(2) of `data` to audit.jsonl: the bytes written, which may be fewer than asked (a
   * disk filling up), or a rejection. Only for tests that make an append fail part-way; the
   * default is the file handle's write.
   */
  writeSome?: (fh: FileHandle, data: Buffer) => Promise<number>;
}

const REFUSAL_WINDOW_MS = 10_000;
const MAX_BYTES = 1024 * 1024;
const KEEP = 4;
const MAX_REFUSAL_KEYS = 256;
const MAX_DETAIL = 500;

/** Highest seq in the file; a torn last line (crash mid-append) is skipped. */
async function lastSeq(file: string): Promise<{ seq: number; endsClean: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, endsClean: true };
    throw err;
  }
  const lines = text.split('\n');
  let seq = 0;
  for (let i = lines.length - 1; i >= 0 && seq === 0; i--) {
    try {
      const rec = JSON.parse(lines[i]!) as { seq?: unknown };
      if (typeof rec.seq === 'number') seq = rec.seq;
    } catch {
      /* torn or empty line */
    }
  }
  return { seq, endsClean: text.length === 0 || text.endsWith('\n') };
}

const defaultWriteSome = async (fh: FileHandle, data: Buffer): Promise<number> => (await fh.write(data)).bytesWritten;

const isEnoent = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';
async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (err) {
    if (isEnoent(err)) return false;
    throw err;
  }
}

/**
 * The audit log's files, oldest first: DATA_DIR/audit/audit.KEEP.jsonl … audit.1.jsonl, then
 * audit.jsonl (any of them may be missing). Reading them in this order gives the records in seq
 * order.
 */
export function auditFiles(dataDir: string, keep = KEEP): string[] {
  return Array.from({ length: keep + 1 }, (_, i) => join(dataDir, 'audit', i === keep ? 'audit.jsonl' : `audit.${keep - i}.jsonl`));
}

/**
 * DATA_DIR/audit/audit.jsonl: append-only JSON lines, seq increasing across restarts and
 * rotations. Before an append would take audit.jsonl past maxBytes it becomes audit.1.jsonl
 * (audit.1 becoming audit.2 and so on, the one past `keep` dropped).
 *
 * Bound: at most (keep + 1) × maxBytes on disk, 5 MiB by default; it would be one record more
 * if the rotation came after the append. A file is larger than maxBytes only when it holds a
 * single record that is (a record is a few KiB at most). Rotation only renames, so a crash
 * inside one adds nothing; a dropped file that a reader still has open is freed when it is done.
 */
export async function openAuditLog(dataDir: string, log: Logger, opts: AuditLogOptions = {}): Promise<AuditLog> {
  const { windowMs = REFUSAL_WINDOW_MS, maxBytes = MAX_BYTES, keep = KEEP, writeSome = defaultWriteSome } = opts;
  if (!(maxBytes >= 1 && Number.isInteger(keep) && keep >= 1)) throw new RangeError(`audit log: bad limits (maxBytes ${maxBytes}, keep ${keep})`);
  const dir = join(dataDir, 'audit');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Newest first: files[0] is audit.jsonl, files[i] audit.i.jsonl.
  const files = auditFiles(dataDir, keep).reverse();
  const file = files[0]!;
  const last = await lastSeq(file);
  let seq = last.seq;
  // Right after a rotation (or a crash inside one) audit.jsonl is empty or missing.
  for (let i = 1; seq === 0 && i < files.length; i++) seq = (await lastSeq(files[i]!)).seq;
  let fh: FileHandle = await open(file, 'a', 0o600);
  let size = (await fh.stat()).size;
  // audit.jsonl ends inside a line: a crash or a failed append (disk full, I/O error) cut one
  // short. The next append ends it first, else its record would be joined to the torn line and
  // lost with it.
  let torn = !last.endsClean;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const pending = new Map<string, { entry: AuditEntry; count: number; fingerprints: Set<string> }>();
  let timer: NodeJS.Timeout | null = null;

  // Shifts the files up to the first free number (audit.KEEP, dropped, when none is free), oldest
  // first and each rename durable before the next: a crash part-way never overwrites a file that
  // has not moved on, it leaves a free number that the next rotation fills.
  const rotate = async () => {
    let free = 1;
    while (free < keep && (await exists(files[free]!))) free++;
    for (let i = free; i >= 1; i--) {
      try {
        await rename(files[i - 1]!, files[i]!);
      } catch (err) {
        if (isEnoent(err)) continue;
        throw err;
      }
      await fsyncDir(dir);
    }
    const old = fh;
    fh = await open(file, 'a', 0o600);
    torn = false;
    await old.close();
    await fsyncDir(dir);
  };

  const append = async (line: string) => {
    if (size > 0 && size + Buffer.byteLength(line) + (torn ? 1 : 0) > maxBytes) {
      // A failed rotation is tried again after another maxBytes, not on every record.
      await rotate().catch((err: Error) => log.error(`audit log: rotation failed: ${err.message}`));
      size = 0;
    }
    const data = Buffer.from(torn ? `\n${line}` : line);
    let written = 0;
    try {
      // A short write is not a failure: the rest is written on (or fails with the reason).
      while (written < data.length) {
        const n = await writeSome(fh, data.subarray(written));
        if (!(n > 0)) throw new Error(`wrote ${n} of ${data.length - written} bytes`);
        written += n;
      }
    } finally {
      // What reached the file counts towards its size, and its last byte says whether the file
      // now ends inside a line (nothing written: as before).
      size += written;
      if (written > 0) torn = data[written - 1] !== 0x0a;
    }
    await fh.datasync();
  };

  const write = (entry: AuditEntry): Promise<void> => {
    if (closed) return Promise.resolve();
    const rec: AuditRecord = { time: new Date().toISOString(), seq: ++seq, ...entry, detail: entry.detail.slice(0, MAX_DETAIL) };
    auditRecord.parse(rec);
    const line = `${JSON.stringify(rec)}\n`;
    chain = chain.then(() => append(line)).catch((err: Error) => log.error(`audit log: ${err.message}`));
    return chain;
  };

  /** The files as they are now, oldest first. */
  const openAll = async (): Promise<FileHandle[]> => {
    const handles: FileHandle[] = [];
    try {
      for (const f of [...files].reverse()) {
        try {
          handles.push(await open(f, 'r'));
        } catch (err) {
          if (!isEnoent(err)) throw err;
        }
      }
    } catch (err) {
      await Promise.all(handles.map((h) => h.close()));
      throw err;
    }
    return handles;
  };

  const flush = () => {
    timer = null;
    for (const [, p] of pending) {
      if (p.count === 0) continue;
      void write({
        ...p.entry,
        operatorFingerprint: p.fingerprints.size === 1 ? [...p.fingerprints][0]! : null,
        detail: `${p.count} more identical refusal(s) in ${windowMs / 1000} s (${p.fingerprints.size} distinct key(s)): ${p.entry.detail}`,
      });
    }
    pending.clear();
  };

  return {
    write,
    refuse(key, entry) {
      if (closed) return;
      const k = pending.size >= MAX_REFUSAL_KEYS && !pending.has(key) ? 'overflow' : key;
      const p = pending.get(k);
      if (p) {
        p.count++;
        if (entry.operatorFingerprint && p.fingerprints.size < 1000) p.fingerprints.add(entry.operatorFingerprint);
        return;
      }
      pending.set(k, { entry, count: 0, fingerprints: new Set() });
      void write(entry);
      if (!timer) {
        timer = setTimeout(flush, windowMs);
        timer.unref();
      }
    },
    async *read(after, limit) {
      if (limit < 1) return;
      // Opened in the write chain, so no rotation falls between the opens; an open file stays
      // readable whatever is renamed or dropped after.
      const opening = chain.then(openAll);
      chain = opening.then(
        () => undefined,
        () => undefined,
      );
      const handles = await opening;
      let n = 0;
      let lastRead = after;
      try {
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
              if (++n >= limit) return;
            }
          } finally {
            lines.close();
            input.destroy();
          }
        }
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    },
    async close() {
      if (timer) clearTimeout(timer);
      flush();
      closed = true;
      await chain;
      await fh.close();
    },
  };
}
