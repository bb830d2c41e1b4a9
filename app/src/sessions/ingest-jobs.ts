import type { SessionHeader } from '@pitwall/protocol';
import type { TimedLaps } from './lap-analysis.js';
import type { PartialSessions, SessionMetaIn } from './partial-sessions.js';
import type { StreamedSession } from './stream-decoder.js';

/** Sample rows (sample-rows.ts) for one append. */
export interface RowsIn {
  fixes: Float64Array;
  imu: Float64Array;
}

/**
 * The store side of a sync: sessions whose samples arrive in pieces (one job each). Runs where
 * the store's writer runs (the ingest thread, or inline). A failure inside a job is kept and
 * reported when it completes; its rows stay marked incomplete and are dropped.
 */
export class IngestJobs {
  /** Session row of each job; null when the session was already stored (nothing to add). */
  private readonly rows = new Map<number, number | null>();
  private readonly failures = new Map<number, Error>();

  constructor(private readonly sessions: PartialSessions) {}

  begin(job: number, header: SessionHeader, meta: SessionMetaIn): void {
    this.guard(job, () => this.rows.set(job, this.sessions.begin(header, meta)));
  }

  append(job: number, rows: RowsIn): void {
    const id = this.rows.get(job);
    if (typeof id === 'number' && !this.failures.has(job)) this.guard(job, () => this.sessions.append(id, rows.fixes, rows.imu));
  }

  /** Completes a job; false when the session was already stored before it began. */
  complete(job: number, session: StreamedSession, laps: TimedLaps): boolean {
    const id = this.rows.get(job);
    const failed = this.failures.get(job);
    try {
      if (failed) throw failed;
      if (id === undefined) throw new Error('ingest: the session never began');
      if (id === null) return false;
      this.sessions.complete(id, session, laps);
      return true;
    } catch (err) {
      this.drop(job);
      throw err;
    } finally {
      this.rows.delete(job);
      this.failures.delete(job);
    }
  }

  /** Drops a job's incomplete rows (its download ended in a resume or a failure). */
  drop(job: number): void {
    const id = this.rows.get(job);
    this.rows.delete(job);
    this.failures.delete(job);
    if (typeof id === 'number') this.sessions.drop(id);
  }

  private guard(job: number, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failures.set(job, err as Error);
    }
  }
}
