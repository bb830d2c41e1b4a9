/**
 * Records a session file (format: protocol/src/sessions/session-format.md). Samples are
 * buffered and written as checksummed chunks, each append followed by fsync, at least every
 * `flushIntervalMs` of wall time and of data time, so a power cut loses at most that much.
 * Writes are serialised; add* never blocks the sensor pipeline.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  decodeSession,
  encodeSessionHeader,
  eventsChunk,
  gnssChunk,
  imuChunk,
  summaryChunk,
  type SessionEvent,
  type SessionFix,
  type SessionHeader,
  type SessionImuSample,
  type SessionSummary,
} from '@pitwall/protocol';

export interface SessionWriterOptions {
  /** Longest time samples wait in memory. Default 800 ms: with fsync latency, a cut loses under 1 s. */
  flushIntervalMs?: number;
  /** Flush on a wall-clock timer too (off for offline conversion and benchmarks). Default true. */
  timer?: boolean;
  /** fsync after each append. Default true; only offline conversion may turn it off. */
  sync?: boolean;
}

export class SessionWriter {
  fixes = 0;
  imuSamples = 0;
  /** File length so far: where the next chunk goes (explicit, so a resumed file appends at its good end). */
  bytes = 0;
  private pendingFixes: SessionFix[] = [];
  private pendingImu: SessionImuSample[] = [];
  private pendingEvents: SessionEvent[] = [];
  private oldestPendingT: number | null = null;
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly intervalMs: number;
  private readonly sync: boolean;

  private constructor(
    private readonly fh: FileHandle,
    opts: SessionWriterOptions,
  ) {
    this.intervalMs = opts.flushIntervalMs ?? 800;
    this.sync = opts.sync !== false;
    if (opts.timer !== false) {
      this.timer = setInterval(() => this.flushSoon(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Starts a new file (fails if it exists: a session is never overwritten). */
  static async create(path: string, header: SessionHeader, opts: SessionWriterOptions = {}): Promise<SessionWriter> {
    const bytes = encodeSessionHeader(header);
    const fh = await open(path, 'wx', 0o640);
    await fh.write(bytes);
    await fh.sync();
    const w = new SessionWriter(fh, opts);
    w.bytes = bytes.length;
    return w;
  }

  /**
   * Reopens a session after a crash: cuts the torn tail after the last good chunk and appends
   * from there, continuing the chunk sequence.
   */
  static async resume(path: string, opts: SessionWriterOptions = {}): Promise<SessionWriter> {
    const fh = await open(path, 'r+');
    try {
      const data = decodeSession(new Uint8Array(await fh.readFile()));
      await fh.truncate(data.stats.goodLength);
      await fh.sync();
      const w = new SessionWriter(fh, opts);
      w.seq = data.stats.chunks + data.stats.missingSeqs.length;
      w.bytes = data.stats.goodLength;
      w.fixes = data.fixes.length;
      w.imuSamples = data.imu.length;
      return w;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  addFix(fix: SessionFix): void {
    this.pendingFixes.push(fix);
    this.fixes++;
    this.touch(fix.t);
  }

  addImu(sample: SessionImuSample): void {
    this.pendingImu.push(sample);
    this.imuSamples++;
    this.touch(sample.t);
  }

  addEvent(event: SessionEvent): void {
    this.pendingEvents.push(event);
  }

  private touch(t: number): void {
    this.oldestPendingT ??= t;
    if (t - this.oldestPendingT >= this.intervalMs) this.flushSoon();
  }

  /** Background flush: a failure is kept and reported by the next flush() or close(). */
  private flushSoon(): void {
    this.flush().catch(() => {});
  }

  /** Writes everything pending as chunks and fsyncs. Resolves when durable. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const parts: Uint8Array[] = [];
    if (this.pendingFixes.length) parts.push(gnssChunk(this.seq++, this.pendingFixes));
    if (this.pendingImu.length) parts.push(imuChunk(this.seq++, this.pendingImu));
    if (this.pendingEvents.length) parts.push(eventsChunk(this.seq++, this.pendingEvents));
    this.pendingFixes = [];
    this.pendingImu = [];
    this.pendingEvents = [];
    this.oldestPendingT = null;
    if (parts.length === 0) return this.chain;
    const buf = Buffer.concat(parts);
    this.chain = this.chain.then(async () => {
      try {
        // One append per flush: a cut mid-write tears only this flush's chunks.
        await this.fh.write(buf, 0, buf.length, this.bytes);
        if (this.sync) await this.fh.sync();
        this.bytes += buf.length;
      } catch (err) {
        this.failure ??= err as Error;
        throw err;
      }
    });
    return this.chain;
  }

  /** Flushes, writes the summary chunk and closes the file. */
  async close(summary?: Omit<SessionSummary, 'fixes' | 'imuSamples'>): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.flush();
      if (summary) {
        const chunk = summaryChunk(this.seq++, { ...summary, fixes: this.fixes, imuSamples: this.imuSamples });
        await this.fh.write(chunk, 0, chunk.length, this.bytes);
        await this.fh.sync();
        this.bytes += chunk.length;
      }
    } finally {
      await this.fh.close();
    }
  }
}
