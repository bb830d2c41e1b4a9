import type { Worker } from 'node:worker_threads';
import type { SessionFix, SessionHeader } from '@pitwall/protocol';
import { startWorkerModule } from '../worker-module.js';
import { IngestJobs, type RowsIn } from './ingest-jobs.js';
import type { TimedLaps } from './lap-analysis.js';
import { fixRows, IMU_COLUMNS } from './sample-rows.js';
import type { SessionMetaIn } from './partial-sessions.js';
import type { SessionStore } from './session-store.js';
import type { StreamedSession } from './stream-decoder.js';

/**
 * Where a sync's sessions go into the store. The ingest thread (a worker with its own
 * connection to the database file) keeps the SQLite work off the thread that reads the
 * sockets, so a download never waits for an insert and the two use both cores; a store in
 * memory (tests) is written inline.
 */
export interface SessionIngest {
  begin(job: number, header: SessionHeader, meta: SessionMetaIn): void;
  /**
   * Hands over decoded samples (IMU as rows, `decodeImuRows`; the buffer is handed over, not
   * copied); returns a promise when the writer is behind (wait before sending more).
   */
  append(job: number, fixes: readonly SessionFix[], imu: Float64Array): Promise<void> | void;
  /** Marks the session complete (after its last samples); false when it was already stored. */
  complete(job: number, session: StreamedSession, laps: TimedLaps): Promise<boolean>;
  drop(job: number): Promise<void>;
  close(): Promise<void>;
}

export type IngestRequest =
  | { op: 'begin'; job: number; header: SessionHeader; meta: SessionMetaIn }
  | { op: 'append'; job: number; rows: RowsIn; count: number }
  | { op: 'complete'; req: number; job: number; session: StreamedSession; laps: TimedLaps }
  | { op: 'drop'; req: number; job: number }
  | { op: 'close'; req: number };

export type IngestReply = { kind: 'ack'; rows: number } | { kind: 'done'; req: number; ok: true; value: unknown } | { kind: 'done'; req: number; ok: false; error: string };

export interface IngestWorkerData {
  file: string;
}

const rowsOf = (fixes: readonly SessionFix[], imu: Float64Array): RowsIn => ({ fixes: fixRows(fixes), imu });
const transfer = (r: RowsIn) => [r.fixes.buffer, r.imu.buffer] as ArrayBuffer[];

/** Samples handed over but not yet written, beyond which the downloads wait. */
const BACKLOG_ROWS = 100_000;

/** The ingest thread for `store`'s database file, or inline for a store in memory (or when `thread` is false). */
export function openIngest(store: SessionStore, o: { thread?: boolean } = {}): SessionIngest {
  const file = store.file();
  return file && o.thread !== false ? new IngestThread({ file }) : new InlineIngest(store);
}

class InlineIngest implements SessionIngest {
  private readonly jobs: IngestJobs;
  constructor(store: SessionStore) {
    this.jobs = new IngestJobs(store.partials);
  }
  begin(job: number, header: SessionHeader, meta: SessionMetaIn): void {
    this.jobs.begin(job, header, meta);
  }
  append(job: number, fixes: readonly SessionFix[], imu: Float64Array): void {
    this.jobs.append(job, rowsOf(fixes, imu));
  }
  async complete(job: number, session: StreamedSession, laps: TimedLaps): Promise<boolean> {
    return this.jobs.complete(job, session, laps);
  }
  async drop(job: number): Promise<void> {
    this.jobs.drop(job);
  }
  async close(): Promise<void> {}
}

class IngestThread implements SessionIngest {
  private readonly worker: Worker;
  private req = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private backlog = 0;
  private readonly behind: (() => void)[] = [];
  private broken: Error | null = null;
  private used = false;

  constructor(data: IngestWorkerData) {
    this.worker = startWorkerModule(import.meta.url, 'ingest-worker', data);
    this.worker.on('message', (m: IngestReply) => {
      if (m.kind === 'ack') {
        this.backlog -= m.rows;
        if (this.backlog < BACKLOG_ROWS / 2) for (const go of this.behind.splice(0)) go();
        return;
      }
      const w = this.waiting.get(m.req);
      this.waiting.delete(m.req);
      if (m.ok) w?.resolve(m.value);
      else w?.reject(new Error(m.error));
    });
    this.worker.on('error', (err) => this.fail(err));
    const ended = new Promise<void>((resolve) =>
      this.worker.once('exit', (code) => {
        this.fail(new Error(`the ingest thread stopped (exit code ${code})`));
        running.delete(ended);
        resolve();
      }),
    );
    running.add(ended);
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const w of this.waiting.values()) w.reject(this.broken);
    this.waiting.clear();
    for (const go of this.behind.splice(0)) go();
  }

  private post(m: IngestRequest, list: ArrayBuffer[] = []): void {
    this.used = true;
    if (!this.broken) this.worker.postMessage(m, list);
  }

  private request<T>(make: (req: number) => IngestRequest, list: ArrayBuffer[] = []): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    const req = ++this.req;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(req, { resolve: resolve as (v: unknown) => void, reject });
      this.post(make(req), list);
    });
  }

  begin(job: number, header: SessionHeader, meta: SessionMetaIn): void {
    this.post({ op: 'begin', job, header, meta });
  }

  append(job: number, fixes: readonly SessionFix[], imu: Float64Array): Promise<void> | void {
    const rows = rowsOf(fixes, imu);
    const count = fixes.length + imu.length / IMU_COLUMNS.length;
    this.backlog += count;
    this.post({ op: 'append', job, rows, count }, transfer(rows));
    if (this.backlog >= BACKLOG_ROWS && !this.broken) return new Promise((resolve) => this.behind.push(resolve));
  }

  complete(job: number, session: StreamedSession, laps: TimedLaps): Promise<boolean> {
    return this.request((req) => ({ op: 'complete', req, job, session, laps }));
  }

  drop(job: number): Promise<void> {
    return this.request((req) => ({ op: 'drop', req, job }));
  }

  async close(): Promise<void> {
    // Never used: nothing was written, the thread may still be loading; end it.
    if (!this.used) return void (await this.worker.terminate());
    // Done once everything sent is committed; the thread then checkpoints and ends by itself
    // (ingestThreadsEnded waits for that).
    await this.request((req) => ({ op: 'close', req })).catch(() => undefined);
    setTimeout(() => void this.worker.terminate(), 30_000).unref();
  }
}

const running = new Set<Promise<void>>();

/** Resolves when every ingest thread has ended (before the companion closes its database). */
export async function ingestThreadsEnded(): Promise<void> {
  await Promise.all([...running]);
}
