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
 * The transfer side of a boot's pull: NDJSON chunks from the unit cut into frames of whole
 * lines and appended to the staging file, without parsing them all. Only the last line of each
 * frame is parsed, to know how far the unit's sequence has been staged (the next request
 * starts after it, and the unit is told to drop up to it once the file is synced).
 */
export class BootStager {
  private parts: Buffer[] = [];
  private size = 0;
  /** Bytes of `parts` that are whole lines (up to and with the last newline). */
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

  /** One chunk of the stream. Returns a promise when the disk is behind: the transfer waits for it. */
  push(chunk: Buffer): void | Promise<void> {
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      chunk = chunk.subarray(nl + 1);
    }
    if (chunk.length === 0) return;
    const nl = chunk.lastIndexOf(10);
    if (nl >= 0) this.whole = this.size + nl + 1;
    this.parts.push(chunk);
    this.size += chunk.length;
    let done: Promise<void> | undefined;
    if (this.size - this.whole > MAX_LINE) {
      // Not a log record: the whole lines before it are staged, it is skipped up to its newline.
      this.onInvalid(`a line longer than ${MAX_LINE} bytes`);
      if (this.whole > 0) done = this.stage(this.take(this.whole));
      this.parts = [];
      this.size = 0;
      this.skipping = true;
    } else if (this.whole >= this.frameBytes) {
      done = this.stage(this.take(this.whole));
    }
    return done && this.writer.pending > MAX_PENDING ? done : undefined;
  }

  /**
   * The stream ended: stages what is left. A last line without its newline is kept only if it
   * parses (the unit ended the body there); a torn one is dropped and asked for again.
   */
  async finish(): Promise<void> {
    const lines = this.take(this.whole);
    const tail = this.skipping || this.size === 0 ? null : Buffer.concat(this.parts, this.size);
    if (tail && parses(tail)) lines.push(tail, Buffer.from('\n'));
    this.parts = [];
    this.size = 0;
    this.skipping = false;
    if (lines.length > 0) this.stage(lines);
    await this.writer.flushed();
  }

  /** The first `n` bytes of the pending chunks (whole lines), without copying them. */
  private take(n: number): Buffer[] {
    const out: Buffer[] = [];
    let left = n;
    let i = 0;
    for (; i < this.parts.length && left > 0; i++) {
      const p = this.parts[i]!;
      if (p.length <= left) {
        out.push(p);
        left -= p.length;
      } else {
        out.push(p.subarray(0, left));
        this.parts[i] = p.subarray(left);
        left = 0;
        break;
      }
    }
    this.parts = this.parts.slice(i);
    this.size -= n;
    this.whole = 0;
    return out;
  }

  private stage(lines: Buffer[]): Promise<void> {
    const seq = this.lastValidSeq(lines);
    if (seq !== null && seq > this.seq) this.seq = seq;
    const p = this.writer.append('lines', lines, this.seq);
    p.catch(() => undefined);
    this.onFrame(this.seq);
    return p;
  }

  /** The seq of the last record of this unit and boot in `lines` (whole lines), looking back a few lines. */
  private lastValidSeq(parts: Buffer[]): number | null {
    // The end of the frame is enough, unless its last lines are very long.
    let lines = tailOf(parts, 256 * 1024);
    let complete = lines.length === parts.reduce((n, p) => n + p.length, 0);
    let end = lines.length - 1; // the newline ending the last line
    for (let tries = 0; tries < 64 && end > 0; tries++) {
      const nl = lines.lastIndexOf(10, end - 1);
      if (nl < 0 && !complete) {
        // The line starts before the tail taken: take it all.
        const all = Buffer.concat(parts);
        end += all.length - lines.length;
        lines = all;
        complete = true;
        continue;
      }
      const start = nl + 1;
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

/** The last `n` bytes (or all) of a list of chunks, as one buffer. */
function tailOf(parts: Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let size = 0;
  for (let i = parts.length - 1; i >= 0 && size < n; i--) {
    out.unshift(parts[i]!);
    size += parts[i]!.length;
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out, size);
}

function parses(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
