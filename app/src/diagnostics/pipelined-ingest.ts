import type { Worker } from 'node:worker_threads';
import { LOW_PRIORITY_PRELUDE, startWorkerModule } from '../worker-module.js';
import type { StagedFileIngest, StagedFileResult } from './log-ingest.js';
import { parseFrame, type ParsedFrame } from './log-parse.js';
import type { Frame } from './staging-file.js';

/** Frames parsed ahead of the one being stored. */
const AHEAD = 2;

type ParseReply = { id: number; parsed: ParsedFrame } | { id: number; error: string };

/**
 * A thread that parses frames of log lines (`parseFrame`) for the ingest thread, which stores
 * one frame while this parses the next: parsing and SQLite each take about half of an ingest.
 * If the thread cannot run, or stops, frames are parsed on the caller's thread instead.
 */
export class FrameParseThread {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { payload: Uint8Array; unit: string; boot: string; resolve: (p: ParsedFrame) => void }>();

  constructor(private readonly log: (m: string) => void = () => undefined) {}

  parse(payload: Uint8Array, unit: string, boot: string): Promise<ParsedFrame> {
    const worker = this.start();
    if (!worker) return Promise.resolve(parseFrame(payload, unit, boot));
    const id = this.nextId++;
    // Copied, not transferred: if the thread fails, the frame is parsed here from this copy.
    return new Promise((resolve) => {
      this.pending.set(id, { payload, unit, boot, resolve });
      worker.ref();
      worker.postMessage({ id, payload, unit, boot });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.broken = true;
    this.parseHere();
    await worker?.terminate();
  }

  private start(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    let worker: Worker;
    try {
      worker = startWorkerModule(import.meta.url, 'ingest-worker', { role: 'parse' }, LOW_PRIORITY_PRELUDE);
    } catch (err) {
      this.fail(err as Error);
      return null;
    }
    worker.on('message', (m: ParseReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      p.resolve('parsed' in m ? m.parsed : parseFrame(p.payload, p.unit, p.boot));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.worker === worker && this.fail(new Error(`exit ${code}`)));
    this.worker = worker;
    return worker;
  }

  private fail(err: Error): void {
    if (this.broken) return;
    this.broken = true;
    this.worker = null;
    this.log(`log parse thread stopped (${err.message}): parsing on the ingest thread`);
    this.parseHere();
  }

  private parseHere(): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve(parseFrame(p.payload, p.unit, p.boot));
    }
  }
}

/**
 * Ingests one staging file as frames arrive in it: up to AHEAD frames of lines are parsed on the
 * parse thread while this thread stores the one before, in file order. The same
 * StagedFileIngest does the rest (cursor, gaps, one transaction per frame, the durable close).
 */
export class PipelinedFileIngest {
  private limit = 0;
  private readonly ahead: { frame: Frame; parsed: Promise<ParsedFrame> | null }[] = [];
  private pumping: Promise<void> = Promise.resolve();
  private error: Error | null = null;
  private abandoned = false;

  constructor(
    private readonly file: StagedFileIngest,
    private readonly parser: FrameParseThread,
  ) {}

  /** Whole frames are in the file up to `bytes`: ingests them (an error is kept for `finish`). */
  written(bytes: number): void {
    this.limit = Math.max(this.limit, bytes);
    void this.pump();
  }

  /** No more frames come: ingests the rest, then the cursor is made durable and the file deleted. */
  async finish(): Promise<StagedFileResult> {
    const size = this.file.fileSize();
    this.limit = Math.max(this.limit, size);
    await this.pump();
    if (this.error) throw this.error;
    return this.file.close(size);
  }

  /** Gives up on the file without deleting it (the companion is closing). */
  abandon(): void {
    this.abandoned = true;
    this.file.abandon();
  }

  /** One drain at a time, each after the one before (the limit may have grown meanwhile). */
  private pump(): Promise<void> {
    this.pumping = this.pumping.then(() =>
      this.drain().catch((err: Error) => {
        this.error ??= err;
      }),
    );
    return this.pumping;
  }

  private async drain(): Promise<void> {
    while (!this.abandoned && !this.error) {
      while (this.ahead.length < AHEAD) {
        const frame = this.file.next(this.limit);
        if (!frame) break;
        const target = this.file.parseTarget(frame);
        // The header (nothing to parse, nothing before it) is applied at once: the frames after it need it.
        if (!target && this.ahead.length === 0) this.file.apply(frame, null);
        else this.ahead.push({ frame, parsed: target ? this.parser.parse(frame.payload, target.unit, target.boot) : null });
      }
      const head = this.ahead.shift();
      if (!head) return;
      const parsed = head.parsed ? await head.parsed : null;
      if (this.abandoned) return;
      this.file.apply(head.frame, parsed);
    }
  }
}
