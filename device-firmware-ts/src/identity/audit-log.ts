import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { auditRecord, type AuditRecord } from '@pitwall/protocol';
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
   * The records with seq > `after`, oldest first, at most `limit`, read from the file: a torn
   * line (power cut mid-append) or one that is not an AuditRecord is skipped.
   */
  read(after: number, limit: number): AsyncGenerator<AuditRecord>;
  close(): Promise<void>;
}

const REFUSAL_WINDOW_MS = 10_000;
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

/** DATA_DIR/audit/audit.jsonl: append-only JSON lines, seq increasing across restarts. */
export async function openAuditLog(dataDir: string, log: Logger, windowMs = REFUSAL_WINDOW_MS): Promise<AuditLog> {
  const dir = join(dataDir, 'audit');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'audit.jsonl');
  const last = await lastSeq(file);
  let seq = last.seq;
  const fh: FileHandle = await open(file, 'a', 0o600);
  let chain: Promise<void> = last.endsClean ? Promise.resolve() : fh.write('\n').then(() => undefined);
  let closed = false;
  const pending = new Map<string, { entry: AuditEntry; count: number; fingerprints: Set<string> }>();
  let timer: NodeJS.Timeout | null = null;

  const write = (entry: AuditEntry): Promise<void> => {
    if (closed) return Promise.resolve();
    const rec: AuditRecord = { time: new Date().toISOString(), seq: ++seq, ...entry, detail: entry.detail.slice(0, MAX_DETAIL) };
    auditRecord.parse(rec);
    const line = `${JSON.stringify(rec)}\n`;
    chain = chain
      .then(async () => {
        await fh.write(line);
        await fh.datasync();
      })
      .catch((err: Error) => log.error(`audit log: ${err.message}`));
    return chain;
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
      const input = createReadStream(file, { encoding: 'utf8' });
      const lines = createInterface({ input, crlfDelay: Infinity });
      let n = 0;
      try {
        for await (const line of lines) {
          if (!line.includes('"seq"')) continue;
          let rec: unknown;
          try {
            rec = JSON.parse(line);
          } catch {
            continue;
          }
          if (!auditRecord.is(rec) || rec.seq <= after) continue;
          yield rec;
          if (++n >= limit) return;
        }
      } finally {
        lines.close();
        input.destroy();
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
