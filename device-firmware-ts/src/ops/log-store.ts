import { closeSync, createReadStream, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { LogBoot, LogRecord } from '@pitwall/protocol';
import { bufferBlob, findSegments, offsetOfSeq, type Blob, type Segment } from './log-segments.js';
import { writeFileAtomic } from '../identity/atomic-file.js';

const MAX_GZ_BYTES = 256 * 1024 * 1024;

interface OpenLog {
  name: string;
  blob: Blob;
  /** Streams [start, end) of the file. */
  stream(start: number, end: number): Readable;
  close(): void;
}

export interface LogStore {
  boots(): Promise<LogBoot[]>;
  /** NDJSON bytes of boot's records with seq > after, at most limit, straight from the files. */
  query(boot: string, after: number, limit: number): Promise<Readable>;
  /** The last `max` records of a boot (crash dumps of earlier boots). */
  tail(boot: string, max: number): Promise<LogRecord[]>;
  confirm(boot: string, seq: number): Promise<void>;
}

/** Rotated files oldest first (pitwall.log.9.gz ... pitwall.log.1), then the live file. */
export function logFiles(dir: string, base = 'pitwall.log'): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const re = new RegExp(`^${base.replace(/\./g, '\\.')}\\.(\\d+)(\\.gz)?$`);
  const rotated = names
    .map((n) => ({ n, m: re.exec(n) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(b.m![1]) - Number(a.m![1]))
    .map((x) => x.n);
  return [...rotated, ...(names.includes(base) ? [base] : [])];
}

function openLog(dir: string, name: string): OpenLog | null {
  const path = join(dir, name);
  try {
    if (name.endsWith('.gz')) {
      const buf = gunzipSync(readFileSync(path), { maxOutputLength: MAX_GZ_BYTES });
      return { name, blob: bufferBlob(buf), stream: (s, e) => Readable.from([buf.subarray(s, e)]), close() {} };
    }
    // The descriptor keeps the bytes readable while logrotate renames the file.
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const blob: Blob = {
      size,
      read(pos, len) {
        const n = Math.max(0, Math.min(len, size - pos));
        const buf = Buffer.allocUnsafe(n);
        const got = n > 0 ? readSync(fd, buf, 0, n, pos) : 0;
        return buf.subarray(0, got);
      },
    };
    let streams = 0;
    let closed = false;
    const maybeClose = () => {
      if (closed && streams === 0) closeSync(fd);
    };
    return {
      name,
      blob,
      stream(start, end) {
        streams++;
        const rs = createReadStream('', { fd, start, end: end - 1, autoClose: false, highWaterMark: 256 * 1024 });
        rs.once('close', () => {
          streams--;
          maybeClose();
        });
        return rs;
      },
      close() {
        closed = true;
        maybeClose();
      },
    };
  } catch {
    return null; // rotated away between listing and opening
  }
}

export function openLogStore(dir: string, base = 'pitwall.log'): LogStore {
  const confirmFile = join(dir, 'confirmed.json');
  const readConfirmed = async (): Promise<Record<string, number>> => {
    try {
      const v = JSON.parse(await readFile(confirmFile, 'utf8')) as unknown;
      return v && typeof v === 'object' ? (v as Record<string, number>) : {};
    } catch {
      return {};
    }
  };
  const withLogs = async <T>(fn: (logs: { log: OpenLog; segments: Segment[] }[]) => Promise<T> | T): Promise<T> => {
    const logs = logFiles(dir, base)
      .map((n) => openLog(dir, n))
      .filter((l): l is OpenLog => l !== null)
      .map((log) => ({ log, segments: findSegments(log.blob) }));
    try {
      return await fn(logs);
    } finally {
      for (const { log } of logs) log.close();
    }
  };

  return {
    async boots() {
      const confirmed = await readConfirmed();
      return withLogs((logs) => {
        const byBoot = new Map<string, LogBoot>();
        for (const { segments } of logs) {
          for (const s of segments) {
            const b = byBoot.get(s.boot);
            if (!b) byBoot.set(s.boot, { boot: s.boot, startedAt: s.firstTime, firstSeq: s.firstSeq, lastSeq: s.lastSeq, confirmedSeq: confirmed[s.boot] ?? 0 });
            else {
              b.firstSeq = Math.min(b.firstSeq, s.firstSeq);
              b.lastSeq = Math.max(b.lastSeq, s.lastSeq);
            }
          }
        }
        return [...byBoot.values()];
      });
    },
    async query(boot, after, limit) {
      const logs = logFiles(dir, base)
        .map((n) => openLog(dir, n))
        .filter((l): l is OpenLog => l !== null);
      const parts: { log: OpenLog; start: number; end: number }[] = [];
      let next = after + 1;
      let remaining = limit;
      for (const log of logs) {
        if (remaining <= 0) break;
        for (const seg of findSegments(log.blob)) {
          if (seg.boot !== boot || seg.lastSeq < next || remaining <= 0) continue;
          const from = Math.max(next, seg.firstSeq);
          const to = Math.min(seg.lastSeq, from + remaining - 1);
          const start = offsetOfSeq(log.blob, seg, from);
          const end = offsetOfSeq(log.blob, seg, to + 1);
          if (end > start) parts.push({ log, start, end });
          remaining -= to - from + 1;
          next = to + 1;
        }
      }
      const used = new Set(parts.map((p) => p.log));
      for (const log of logs) if (!used.has(log)) log.close();
      async function* concat() {
        try {
          for (const p of parts) {
            for await (const chunk of p.log.stream(p.start, p.end)) yield chunk as Buffer;
          }
        } finally {
          for (const log of used) log.close();
        }
      }
      return Readable.from(concat(), { objectMode: false });
    },
    async tail(boot, max) {
      return withLogs((logs) => {
        const out: LogRecord[] = [];
        for (let i = logs.length - 1; i >= 0 && out.length < max; i--) {
          const { log, segments } = logs[i]!;
          for (const seg of segments.filter((s) => s.boot === boot).reverse()) {
            const from = Math.max(seg.firstSeq, seg.lastSeq - (max - out.length) + 1);
            const start = offsetOfSeq(log.blob, seg, from);
            const lines = log.blob.read(start, seg.end - start).toString('utf8').split('\n').filter(Boolean);
            const recs = lines.flatMap((l) => {
              try {
                return [JSON.parse(l) as LogRecord];
              } catch {
                return [];
              }
            });
            out.unshift(...recs);
          }
        }
        return out.slice(-max);
      });
    },
    async confirm(boot, seq) {
      const c = await readConfirmed();
      c[boot] = Math.max(c[boot] ?? 0, seq);
      await writeFileAtomic(confirmFile, JSON.stringify(c), 0o644);
    },
  };
}
