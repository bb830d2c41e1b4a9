import type { MessagePort } from 'node:worker_threads';
import type { SessionHeader } from '@pitwall/protocol';
import { IngestJobs, type RowsIn } from './ingest-jobs.js';
import type { TimedLaps } from './lap-analysis.js';
import { FIX_COLUMNS, IMU_COLUMNS } from './sample-rows.js';
import type { SessionMetaIn } from './partial-sessions.js';
import { PartialSessions } from './partial-sessions.js';
import type { SessionStore } from './session-store.js';
import type { StreamedSession } from './stream-decoder.js';

/**
 * Where a sync's sessions go into the store. The store's writer thread (store-writer.ts) keeps
 * the SQLite work off the thread that reads the sockets, so a download never waits for an
 * insert and the two use both cores; a store in memory (tests) is written inline.
 */
export interface SessionIngest {
  begin(job: number, header: SessionHeader, meta: SessionMetaIn): void;
  /**
   * Hands over decoded samples as rows (sample-rows.ts; the buffers are handed over, not
   * copied); returns a promise when the writer is behind (wait before sending more).
   */
  append(job: number, rows: RowsIn): Promise<void> | void;
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

const transfer = (r: RowsIn) => [r.fixes.buffer, r.imu.buffer] as ArrayBuffer[];

/** Samples handed over but not yet written, beyond which the downloads wait. */
const BACKLOG_ROWS = 100_000;

/** A channel to the store's writer thread, or inline for a store in memory. */
export function openIngest(store: SessionStore): SessionIngest {
  const port = store.writer.channel('sessions');
  return port ? new IngestThread(port) : new InlineIngest(store);
}

class InlineIngest implements SessionIngest {
  private readonly jobs: IngestJobs;
  constructor(store: SessionStore) {
    this.jobs = new IngestJobs(new PartialSessions(store.database()));
  }
  begin(job: number, header: SessionHeader, meta: SessionMetaIn): void {
    this.jobs.begin(job, header, meta);
  }
  append(job: number, rows: RowsIn): void {
    this.jobs.append(job, rows);
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
  private req = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private backlog = 0;
  private readonly behind: (() => void)[] = [];
  private broken: Error | null = null;
  private used = false;

  constructor(private readonly port: MessagePort) {
    this.port.on('message', (m: IngestReply) => {
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
    const ended = new Promise<void>((resolve) =>
      this.port.once('close', () => {
        this.fail(new Error('the store writer closed the ingest channel'));
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
    if (!this.broken) this.port.postMessage(m, list);
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

  append(job: number, rows: RowsIn): Promise<void> | void {
    const count = rows.fixes.length / FIX_COLUMNS.length + rows.imu.length / IMU_COLUMNS.length;
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
    // Never used: nothing was written; close the channel.
    if (!this.used) return void this.port.close();
    // Done once everything sent is committed; the writer then closes the channel and
    // checkpoints (ingestThreadsEnded waits for the close).
    await this.request((req) => ({ op: 'close', req })).catch(() => undefined);
  }
}

const running = new Set<Promise<void>>();

/** Resolves when every sync's ingest channel has closed (before the companion closes its database). */
export async function ingestThreadsEnded(): Promise<void> {
  await Promise.all([...running]);
}
