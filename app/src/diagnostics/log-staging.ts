import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { logRecord } from '@pitwall/protocol';
import { STAGING_SUFFIX, type StagingWriter } from './staging-file.js';

/** Bytes of NDJSON per staging frame (one frame is one ingest transaction, ~15,000 records). */
export const FRAME_BYTES = 4 * 1024 * 1024;
/** A line longer than this is not a log record: it is dropped, never buffered whole. */
export const MAX_LINE = 4 * 1024 * 1024;
/** Above this many bytes waiting for the disk, the transfer pauses. */
const MAX_PENDING = 32 * 1024 * 1024;

/** Where the staging files of a unit go: `<unit>_<boot hash>_<after>_<time>.stage`, in pull order by name. */
export function stagingPath(dir: string, unitId: string, boot: string, after: number): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!/^[0-9A-Za-z-]{1,64}$/.test(unitId)) throw new Error(`unit id ${JSON.stringify(unitId)} cannot name a file`);
  const b = createHash('sha256').update(boot).digest('hex').slice(0, 32);
  return join(dir, `${unitId}_${b}_${String(after).padStart(16, '0')}_${String(Date.now()).padStart(15, '0')}${STAGING_SUFFIX}`);
}

/** Staging files of a unit left by an earlier pull (interrupted, or not yet ingested), oldest first. */
export function leftoverStaging(dir: string, unitId: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${unitId}_`) && n.endsWith(STAGING_SUFFIX))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * Frame buffers reused from one frame to the next: a fresh multi-megabyte buffer per frame
 * costs more in page faults than the copy into it.
 */
export class FramePool {
  private readonly free: Buffer[] = [];
  constructor(readonly size: number) {}

  get(min = 0): Buffer {
    if (min > this.size) return Buffer.allocUnsafeSlow(min);
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  put(b: Buffer): void {
    if (b.length === this.size && this.free.length < 16) this.free.push(b);
  }
}

/**
 * The transfer side of a boot's pull: NDJSON chunks from the unit copied into frames of whole
 * lines and appended to the staging file, without parsing them all. Only the last line of each
 * frame is parsed, to know how far the unit's sequence has been staged (the next request
 * starts after it, and the unit is told to drop up to it once the file is synced).
 */
export class BootStager {
  private buf: Buffer | null = null;
  private len = 0;
  /** Bytes of `buf` that are whole lines (up to and with the last newline). */
  private whole = 0;
  private skipping = false;
  private seq: number;

  constructor(
    private readonly writer: StagingWriter,
    private readonly unitId: string,
    private readonly boot: string,
    after: number,
    private readonly onFrame: (lastSeq: number) => void,
    private readonly onInvalid: (reason: string) => void,
    private readonly frameBytes = FRAME_BYTES,
    private readonly pool = new FramePool(frameBytes + (frameBytes >> 2)),
  ) {
    this.seq = after;
  }

  /** The highest seq staged so far (the request's `after` when nothing was). */
  get lastSeq(): number {
    return this.seq;
  }

  /** One chunk of the stream. Returns a promise when the disk is behind: the transfer waits for it. */
  push(chunk: Buffer): void | Promise<void> {
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      chunk = chunk.subarray(nl + 1);
    }
    if (chunk.length === 0) return;
    this.reserve(chunk.length);
    chunk.copy(this.buf!, this.len);
    const nl = chunk.lastIndexOf(10);
    if (nl >= 0) this.whole = this.len + nl + 1;
    this.len += chunk.length;
    let done: Promise<void> | undefined;
    if (this.len - this.whole > MAX_LINE) {
      // Not a log record: the whole lines before it are staged, it is skipped up to its newline.
      this.onInvalid(`a line longer than ${MAX_LINE} bytes`);
      done = this.cut(false);
      this.skipping = true;
    } else if (this.whole >= this.frameBytes) {
      done = this.cut(true);
    }
    return done && this.writer.pending > MAX_PENDING ? done : undefined;
  }

  /**
   * The stream ended: stages what is left. A last line without its newline is kept only if it
   * parses (the unit ended the body there); a torn one is dropped and asked for again.
   */
  async finish(): Promise<void> {
    if (this.buf && !this.skipping && this.len > this.whole && parses(this.buf.subarray(this.whole, this.len))) {
      this.reserve(1);
      this.buf[this.len++] = 10;
      this.whole = this.len;
    }
    this.skipping = false;
    this.cut(false);
    if (this.buf) this.pool.put(this.buf);
    this.buf = null;
    await this.writer.flushed();
  }

  private reserve(n: number): void {
    if (!this.buf) this.buf = this.pool.get(n);
    if (this.len + n <= this.buf.length) return;
    const bigger = this.pool.get(Math.max(this.len + n, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.len);
    this.pool.put(this.buf);
    this.buf = bigger;
  }

  /** Stages the whole lines; the rest (a partial line) moves to the next buffer, or is dropped. */
  private cut(keepRest: boolean): Promise<void> | undefined {
    const old = this.buf;
    if (!old) return undefined;
    const n = this.whole;
    const rest = keepRest ? this.len - n : 0;
    this.buf = this.pool.get(rest);
    if (rest > 0) old.copy(this.buf, 0, n, n + rest);
    this.len = rest;
    this.whole = 0;
    if (n === 0) {
      this.pool.put(old);
      return undefined;
    }
    const done = this.stage(old.subarray(0, n));
    void done.then(
      () => this.pool.put(old),
      () => undefined,
    );
    return done;
  }

  private stage(lines: Buffer): Promise<void> {
    const seq = this.lastValidSeq(lines);
    if (seq !== null && seq > this.seq) this.seq = seq;
    const p = this.writer.append('lines', lines, this.seq);
    p.catch(() => undefined);
    this.onFrame(this.seq);
    return p;
  }

  /** The seq of the last record of this unit and boot in `lines` (whole lines), looking back a few lines. */
  private lastValidSeq(lines: Buffer): number | null {
    let end = lines.length - 1; // the newline ending the last line
    for (let tries = 0; tries < 64 && end > 0; tries++) {
      const start = lines.lastIndexOf(10, end - 1) + 1;
      let rec: unknown = null;
      try {
        rec = JSON.parse(lines.toString('utf8', start, end));
      } catch {
        /* not JSON: the line before */
      }
      if (logRecord.is(rec) && rec.unit === this.unitId && rec.boot === this.boot) return rec.seq;
      end = start - 1;
    }
    return null;
  }
}

function parses(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
