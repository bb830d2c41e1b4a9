import { fstatSync, openSync, closeSync, unlinkSync } from 'node:fs';
import { logRecord, type LogGap } from '@pitwall/protocol';
import type { Cursor, DiagnosticsStore, IngestRecord } from './diagnostics-store.js';
import { LEVEL_NUMBER } from './log-search.js';
import { mayHoldSecret, redactText, redactValue } from './redact.js';
import { MAX_LINE } from './log-staging.js';
import { StagingReader, type Frame, type StagingHeader } from './staging-file.js';

/** What ingesting one staging file did. Plain data: it crosses from the ingest worker. */
export interface StagedFileResult {
  unitId: string | null;
  boot: string | null;
  /** Rows new in the store. */
  added: number;
  invalid: number;
  /** The first few reasons records were rejected. */
  reasons: string[];
  gaps: LogGap[];
  /** Why part of the file was not ingested (a torn tail, a bad checksum, a bad header), else null. */
  problem: string | null;
}

const FIXED = new Set(['time', 'level', 'subsystem', 'msg', 'fw', 'commit', 'unit', 'boot', 'seq']);

/**
 * One staging file turned into store rows, frame by frame: each frame of lines is validated,
 * redacted, deduplicated against the boot's cursor (gaps noted) and committed with the cursor in
 * one transaction. Reading stops for good at a frame that fails its checksum: what follows is
 * not trusted, and the next pull asks the unit again from the stored cursor.
 */
export class StagedFileIngest {
  private readonly reader: StagingReader;
  private offset = 0;
  private header: StagingHeader | null = null;
  private cursor: Cursor | null = null;
  private stopped = false;
  private records = 0;
  readonly result: StagedFileResult = { unitId: null, boot: null, added: 0, invalid: 0, reasons: [], gaps: [], problem: null };

  constructor(
    private readonly store: DiagnosticsStore,
    readonly path: string,
    /** After each committed frame: rows added and records read in this file so far. */
    private readonly onCommit: (added: number, records: number) => void = () => undefined,
  ) {
    this.reader = new StagingReader(path);
  }

  /** Ingests every whole frame that ends at or below `limit` (the bytes written so far). */
  step(limit: number): void {
    while (!this.stopped) {
      const r = this.reader.read(this.offset, limit);
      if ('stop' in r) {
        if (r.stop === 'corrupt') this.stop(`a frame at byte ${r.offset} failed its checksum`);
        return;
      }
      this.apply(r.frame);
      this.offset = r.frame.end;
    }
  }

  /**
   * No more frames will come: ingests the rest, makes the store durable (a synchronous commit),
   * then deletes the file. A short last frame (torn by a crash) is left out.
   */
  finish(): StagedFileResult {
    const fd = openSync(this.path, 'r');
    const size = fstatSync(fd).size;
    closeSync(fd);
    this.step(size);
    if (!this.stopped && this.offset < size) this.stop(`a torn last frame (${size - this.offset} bytes) was left out`);
    if (this.cursor && this.result.unitId) this.store.saveCursorDurably(this.result.unitId, this.cursor);
    this.reader.close();
    unlinkSync(this.path);
    return this.result;
  }

  /** Gives up on the file without deleting it (the companion is closing). */
  abandon(): void {
    this.reader.close();
  }

  private stop(problem: string): void {
    this.stopped = true;
    this.result.problem ??= problem;
  }

  private apply(frame: Frame): void {
    if (!this.header) {
      const h = frame.kind === 'header' ? parseHeader(frame.payload) : null;
      if (!h) return this.stop('the file does not start with a valid header');
      this.header = h;
      this.result.unitId = h.unit;
      this.result.boot = h.boot;
      const stored = this.store.cursors(h.unit).get(h.boot);
      this.cursor = stored ?? { boot: h.boot, startedAt: h.startedAt, storedSeq: 0, confirmedSeq: 0, unitLastSeq: h.lastSeq };
      this.cursor.unitLastSeq = Math.max(this.cursor.unitLastSeq, h.lastSeq);
      return;
    }
    const cursor = this.cursor!;
    const unitId = this.header.unit;
    if (frame.kind === 'header') return this.stop('a second header');
    const gaps: { from: number; to: number }[] = [];
    const gap = (from: number, to: number): void => {
      gaps.push({ from, to });
      this.result.gaps.push({ unitId, boot: cursor.boot, fromSeq: from, toSeq: to });
    };
    if (frame.kind === 'end') {
      // The transfer completed: the unit had nothing more up to `to` (rotated away, or invalid).
      const to = parseEnd(frame.payload);
      if (to === null) return this.stop('a bad end frame');
      if (to > cursor.storedSeq) {
        gap(cursor.storedSeq + 1, to);
        cursor.storedSeq = to;
      }
      cursor.unitLastSeq = Math.max(cursor.unitLastSeq, to);
      this.result.added += this.store.ingest(unitId, cursor, [], gaps);
      return;
    }
    const batch: IngestRecord[] = [];
    const text = frame.payload.toString('utf8');
    let at = 0;
    while (at < text.length) {
      let nl = text.indexOf('\n', at);
      if (nl < 0) nl = text.length;
      const line = text.slice(at, nl);
      at = nl + 1;
      if (line.length === 0 || line === '\r') continue;
      this.records++;
      const rec = this.record(line, cursor, gap);
      if (rec) batch.push(rec);
    }
    this.result.added += this.store.ingest(unitId, cursor, batch, gaps);
    this.onCommit(this.result.added, this.records);
  }

  /** One line: a record to store, or null (rejected, or already stored). */
  private record(line: string, cursor: Cursor, gap: (from: number, to: number) => void): IngestRecord | null {
    // (a UTF-16 unit is at most 3 bytes of UTF-8: only long strings need counting)
    if (line.length > MAX_LINE / 3 && Buffer.byteLength(line) > MAX_LINE) return this.reject(`a line longer than ${MAX_LINE} bytes`);
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      return this.reject('a line that is not JSON');
    }
    if (!logRecord.is(rec)) return this.reject('a record that does not match the log schema');
    if (rec.unit !== this.header!.unit || rec.boot !== cursor.boot) return this.reject(`a record of another unit or boot (${rec.unit}/${rec.boot})`);
    const expected = cursor.storedSeq + 1;
    if (rec.seq < expected) return null; // already stored
    if (rec.seq > expected) gap(expected, rec.seq - 1);
    let extra: Record<string, unknown> | null = null;
    for (const k of Object.keys(rec)) {
      if (FIXED.has(k)) continue;
      (extra ??= {})[k] = (rec as Record<string, unknown>)[k];
    }
    // Most lines hold nothing secret-looking: when the raw line (no escapes in it) has no
    // candidate word, no string or field name inside it has one, and redaction would change nothing.
    const clean = line.indexOf('\\') < 0 && !mayHoldSecret(line) && (extra === null || shallowEnough(extra, 0));
    cursor.storedSeq = rec.seq;
    return {
      boot: rec.boot,
      seq: rec.seq,
      timeMs: Date.parse(rec.time),
      level: LEVEL_NUMBER[rec.level],
      subsystem: rec.subsystem,
      msg: clean ? rec.msg : redactText(rec.msg),
      fw: rec.fw,
      commit: rec.commit,
      extra: extra ? JSON.stringify(clean ? extra : redactValue(extra)) : '{}',
    };
  }

  private reject(reason: string): null {
    this.result.invalid++;
    if (this.result.reasons.length < 3) this.result.reasons.push(reason);
    return null;
  }
}

/** Whether `redactValue` would keep the value whole (it cuts what nests deeper than 32). */
function shallowEnough(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (depth > 31) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) if (!shallowEnough(x, depth + 1)) return false;
  return true;
}

function parseHeader(payload: Buffer): StagingHeader | null {
  try {
    const h = JSON.parse(payload.toString('utf8')) as Partial<StagingHeader>;
    if (typeof h.unit === 'string' && typeof h.boot === 'string' && typeof h.startedAt === 'string' && Number.isInteger(h.after) && Number.isInteger(h.lastSeq)) return h as StagingHeader;
  } catch {
    /* not JSON */
  }
  return null;
}

function parseEnd(payload: Buffer): number | null {
  try {
    const e = JSON.parse(payload.toString('utf8')) as { to?: unknown };
    return Number.isInteger(e.to) && (e.to as number) >= 0 ? (e.to as number) : null;
  } catch {
    return null;
  }
}
