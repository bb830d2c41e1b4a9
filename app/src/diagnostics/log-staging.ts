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
 * The transfer side of a boot's pull: NDJSON chunks from the unit gathered into frames of whole
 * lines and appended to the staging file as they are (the chunks are written, not copied), without
 * parsing them all. Only the last line of each frame is parsed, to know how far the unit's
 * sequence has been staged (the next request starts after it, and the unit is told to drop up to
 * it once the file is synced).
 */
export class BootStager {
  private pieces: Buffer[] = [];
  private len = 0;
  /** Bytes of `pieces` that are whole lines (up to and with the last newline). */
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
  ) {
    this.seq = after;
  }

  /** The highest seq staged so far (the request's `after` when nothing was). */
  get lastSeq(): number {
    return this.seq;
  }

  /** One chunk of the stream (kept until written: the caller must not reuse it). Returns a promise when the disk is behind: the transfer waits for it. */
  push(chunk: Buffer): void | Promise<void> {
    // The file takes no more (a full disk, a failed write): the transfer ends here.
    if (this.writer.failure) throw this.writer.failure;
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      chunk = chunk.subarray(nl + 1);
    }
    if (chunk.length === 0) return;
    const nl = chunk.lastIndexOf(10);
    if (nl >= 0) this.whole = this.len + nl + 1;
    this.pieces.push(chunk);
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
    if (!this.skipping && this.len > this.whole && parses(Buffer.concat(split(this.pieces, this.whole)[1]))) {
      this.pieces.push(NEWLINE);
      this.len += 1;
      this.whole = this.len;
    }
    this.skipping = false;
    this.cut(false);
    await this.writer.flushed();
  }

  /** Stages the whole lines; the rest (a partial line) stays for the next frame, or is dropped. */
  private cut(keepRest: boolean): Promise<void> | undefined {
    const [lines, rest] = split(this.pieces, this.whole);
    this.pieces = keepRest ? rest : [];
    this.len = keepRest ? this.len - this.whole : 0;
    const n = this.whole;
    this.whole = 0;
    return n === 0 ? undefined : this.stage(lines, n);
  }

  private stage(lines: Buffer[], bytes: number): Promise<void> {
    const seq = this.lastValidSeq(lines, bytes);
    if (seq !== null && seq > this.seq) this.seq = seq;
    const p = this.writer.append('lines', lines, this.seq);
    p.catch(() => undefined);
    this.onFrame(this.seq);
    return p;
  }

  /**
   * The seq of the last record of this unit and boot in `lines` (whole lines), looking back a few
   * lines: in the frame's last 256 KiB, or more of it when the lines there are longer.
   */
  private lastValidSeq(lines: Buffer[], bytes: number): number | null {
    for (let want = 256 * 1024; ; want *= 8) {
      const all = want >= bytes;
      const tail = all ? Buffer.concat(lines, bytes) : tailBytes(lines, want);
      const found = this.scanBack(tail, all);
      if (found !== 'need-more') return found;
    }
  }

  /** null: none of the last 64 lines is a record of this boot; 'need-more': `buf` starts inside a line that was reached. */
  private scanBack(buf: Buffer, startsAtLine: boolean): number | null | 'need-more' {
    let end = buf.length - 1; // the newline ending the last line
    for (let tries = 0; tries < 64 && end > 0; tries++) {
      const start = buf.lastIndexOf(10, end - 1) + 1;
      if (start === 0 && !startsAtLine) return 'need-more';
      let rec: unknown = null;
      try {
        rec = JSON.parse(buf.toString('utf8', start, end));
      } catch {
        /* not JSON: the line before */
      }
      if (logRecord.is(rec) && rec.unit === this.unitId && rec.boot === this.boot) return rec.seq;
      end = start - 1;
    }
    return null;
  }
}

const NEWLINE = Buffer.from('\n');

/** `pieces` cut at byte `at`: the pieces before it and those from it (one piece split in two if needed; nothing copied). */
function split(pieces: Buffer[], at: number): [Buffer[], Buffer[]] {
  let n = 0;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (n + p.length >= at) {
      const k = at - n;
      const head = k === p.length ? pieces.slice(0, i + 1) : [...pieces.slice(0, i), p.subarray(0, k)];
      const tail = k === p.length ? pieces.slice(i + 1) : [p.subarray(k), ...pieces.slice(i + 1)];
      return [head.filter((b) => b.length > 0), tail];
    }
    n += p.length;
  }
  return [pieces, []];
}

/** The last `want` bytes of `pieces` (fewer if there are fewer), as one buffer. */
function tailBytes(pieces: Buffer[], want: number): Buffer {
  const out: Buffer[] = [];
  let n = 0;
  for (let i = pieces.length - 1; i >= 0 && n < want; i--) {
    const p = pieces[i]!;
    const take = Math.min(p.length, want - n);
    out.push(p.subarray(p.length - take));
    n += take;
  }
  return Buffer.concat(out.reverse(), n);
}

function parses(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
