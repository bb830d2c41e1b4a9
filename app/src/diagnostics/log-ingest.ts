import { statSync, unlinkSync } from 'node:fs';
import type { LogGap } from '@pitwall/protocol';
import type { Cursor, IngestRecord, LogWriter } from './log-writer.js';
import { parseFrame, type ParsedFrame } from './log-parse.js';
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

/**
 * One staging file turned into store rows, frame by frame: each frame of lines is parsed
 * (validated, redacted: `parseFrame`), deduplicated against the boot's cursor (gaps noted) and
 * committed with the cursor in one transaction. Reading stops for good at a frame that fails
 * its checksum: what follows is not trusted, and the next pull asks the unit again from the
 * stored cursor. `step` and `finish` parse on this thread; a driver with a parse thread uses
 * `next`, `parseTarget`, `apply` and `fileSize` to parse ahead while this one stores.
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
    private readonly store: LogWriter,
    readonly path: string,
    /** After each committed frame: rows added and records read in this file so far. */
    private readonly onCommit: (added: number, records: number) => void = () => undefined,
  ) {
    this.reader = new StagingReader(path);
  }

  /** Ingests every whole frame that ends at or below `limit` (the bytes written so far). */
  step(limit: number): void {
    for (let f = this.next(limit); f; f = this.next(limit)) {
      const target = this.parseTarget(f);
      this.apply(f, target ? parseFrame(f.payload, target.unit, target.boot) : null);
    }
  }

  /** The next whole frame ending at or below `limit`, or null (none yet, or reading stopped). */
  next(limit: number): Frame | null {
    if (this.stopped) return null;
    const r = this.reader.read(this.offset, limit);
    if ('stop' in r) {
      if (r.stop === 'corrupt') this.stop(`a frame at byte ${r.offset} failed its checksum`);
      return null;
    }
    this.offset = r.frame.end;
    return r.frame;
  }

  /** Whose records a frame should hold when it needs parsing (a frame of lines after the header), else null. */
  parseTarget(frame: Frame): { unit: string; boot: string } | null {
    return frame.kind === 'lines' && this.header ? { unit: this.header.unit, boot: this.header.boot } : null;
  }

  /** The file's size now (once no more frames will come: where `next` reads up to). */
  fileSize(): number {
    return statSync(this.path).size;
  }

  /**
   * No more frames will come: ingests the rest, makes the store durable (a synchronous commit),
   * then deletes the file. A short last frame (torn by a crash) is left out.
   */
  finish(): StagedFileResult {
    const size = this.fileSize();
    this.step(size);
    return this.close(size);
  }

  /** After every frame up to `size` was applied: the cursor made durable, the file deleted. */
  close(size: number): StagedFileResult {
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

  /** Applies a frame in file order; a frame of lines comes with its parse (`parseTarget` said so). */
  apply(frame: Frame, parsed: ParsedFrame | null): void {
    if (this.stopped) return;
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
    const p = parsed ?? parseFrame(frame.payload, unitId, cursor.boot);
    this.records += p.lines;
    this.result.invalid += p.invalid;
    for (const r of p.reasons) if (this.result.reasons.length < 3) this.result.reasons.push(r);
    const batch: IngestRecord[] = [];
    for (let i = 0; i < p.seq.length; i++) {
      const seq = p.seq[i]!;
      const expected = cursor.storedSeq + 1;
      if (seq < expected) continue; // already stored
      if (seq > expected) gap(expected, seq - 1);
      cursor.storedSeq = seq;
      batch.push({ boot: cursor.boot, seq, timeMs: p.timeMs[i]!, level: p.level[i]!, subsystem: p.subsystem[i]!, msg: p.msg[i]!, fw: p.fw[i]!, commit: p.commit[i]!, extra: p.extra[i]! });
    }
    this.result.added += this.store.ingest(unitId, cursor, batch, gaps);
    this.onCommit(this.result.added, this.records);
  }
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
