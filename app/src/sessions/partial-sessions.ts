import type { Statement } from 'better-sqlite3';
import { sessionLaps, type SessionHeader } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { yieldToWrites } from '../store/writer-yield.js';
import type { TimedLaps } from './lap-analysis.js';
import { ImuBlocks } from './imu-blocks.js';
import { writeLapFeatures } from './lap-features.js';
import { FIX_COLUMNS, IMU_COLUMNS } from './sample-rows.js';
import type { StreamedSession } from './stream-decoder.js';

export interface SessionMetaIn {
  sha256: string;
  unitName: string;
  sizeB: number;
}

// Rows per INSERT: one statement step per batch instead of per row is what beats a CSV import.
const BATCH = 256;

function insertStatement(db: Db, table: string, columns: readonly string[], rows: number): Statement {
  const one = `(${columns.map(() => '?').join(',')})`;
  return db.prepare(`INSERT OR IGNORE INTO ${table} (${columns.join(',')}) VALUES ${Array(rows).fill(one).join(',')}`);
}

/**
 * Session rows in SQLite as a sync writes them: a session begins incomplete (never listed),
 * its samples are added while it downloads (fixes as rows, sample-rows.ts; IMU samples in
 * blocks, imu-blocks.ts), and it is completed once its file verified.
 */
export class PartialSessions {
  private readonly fixInsert: { batch: Statement; one: Statement };
  private readonly imu: ImuBlocks;
  /** Rows inserted so far into each incomplete session (saves counting them at the end). */
  private readonly counts = new Map<number, { fixes: number; imu: number }>();

  constructor(private readonly db: Db) {
    const fixCols = ['session', ...FIX_COLUMNS];
    this.fixInsert = { batch: insertStatement(db, 'session_fixes', fixCols, BATCH), one: insertStatement(db, 'session_fixes', fixCols, 1) };
    this.imu = new ImuBlocks(db);
  }

  has(unitId: string, sessionId: string): boolean {
    return this.db.prepare('SELECT 1 FROM sessions WHERE unit_id = ? AND session_id = ? AND complete = 1').get(unitId, sessionId) !== undefined;
  }

  /**
   * Starts a session whose samples arrive during its download; a leftover incomplete copy from
   * an interrupted run is dropped first. Null when the session is stored already.
   */
  begin(h: SessionHeader, meta: SessionMetaIn): number | null {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE unit_id = ? AND session_id = ? AND complete = 0').run(h.unitId, h.sessionId);
      if (this.has(h.unitId, h.sessionId)) return null;
      const t = Date.parse(h.startedAt) || 0;
      const info = this.db
        .prepare(
          `INSERT INTO sessions (unit_id, session_id, sha256, unit_name, driver, track_id, started_at, ended_at, gnss_hz, fixes, imu_samples, size_b, header, unit_laps, synced_at, complete)
           VALUES (?,?,?,?,?,?,?,?,?,0,0,?,?,'[]',?,0)`,
        )
        .run(h.unitId, h.sessionId, meta.sha256, meta.unitName, h.driver, h.trackId, t, t, h.gnssRateHz, meta.sizeB, JSON.stringify(h), Date.now());
      return Number(info.lastInsertRowid);
    })();
  }

  /** Adds samples (rows, in time order) to an incomplete session, in one transaction. */
  append(id: number, fixes: Float64Array, imu: Float64Array): void {
    // The main thread's small writes waiting for this thread go first: they wait at most one append.
    yieldToWrites();
    this.db.transaction(() => {
      const n = this.counts.get(id) ?? { fixes: 0, imu: 0 };
      n.fixes += this.insertFixes(id, fixes);
      n.imu += this.insertImu(id, imu);
      this.counts.set(id, n);
    })();
  }

  /** Marks a session complete once its whole file verified: counts, time span, the unit's laps, our laps. */
  complete(id: number, s: StreamedSession, laps: TimedLaps): void {
    this.db.transaction(() => {
      const n = this.counts.get(id) ?? { fixes: 0, imu: 0 };
      this.counts.delete(id);
      n.imu = this.imu.settle(id, n.imu);
      const startedAt = s.firstFixT ?? Date.parse(s.header.startedAt);
      const endedAt = Math.max(s.lastFixT ?? startedAt, s.lastImuT ?? startedAt);
      const done = this.db
        .prepare('UPDATE sessions SET started_at = ?, ended_at = ?, fixes = ?, imu_samples = ?, unit_laps = ?, complete = 1 WHERE id = ? AND complete = 0')
        .run(startedAt, endedAt, n.fixes, n.imu, JSON.stringify(sessionLaps(s.events)), id);
      if (done.changes !== 1) throw new Error(`session row ${id} is no longer an incomplete session`);
      this.writeLaps(id, laps);
    })();
  }

  drop(id: number): void {
    this.counts.delete(id);
    this.imu.forget(id);
    this.db.prepare('DELETE FROM sessions WHERE id = ? AND complete = 0').run(id);
  }

  insertFixes(id: number, rows: Float64Array): number {
    return this.insertRows(id, rows, FIX_COLUMNS.length, this.fixInsert);
  }

  /** IMU rows go in blocks (imu-blocks.ts); `settle` once the session's last rows are in. */
  insertImu(id: number, rows: Float64Array): number {
    return this.imu.add(id, rows);
  }

  settleImu(id: number, added: number): number {
    return this.imu.settle(id, added);
  }

  /** Replaces a session's laps (and its track, when the laps name one). */
  writeLaps(id: number, timed: TimedLaps): void {
    this.db.prepare('DELETE FROM session_laps WHERE session = ?').run(id);
    const insert = this.db.prepare('INSERT INTO session_laps (session, lap, track_id, start_t, end_t, time_ms, distance_m, sectors_ms) VALUES (?,?,?,?,?,?,?,?)');
    for (const l of timed.laps) insert.run(id, l.number, timed.trackId!, l.startT, l.endT, l.timeMs, l.distanceM, JSON.stringify(l.sectorsMs));
    // The layout the laps were timed on, or none: never the unit's header guess left standing.
    this.db.prepare('UPDATE sessions SET track_id = ? WHERE id = ?').run(timed.trackId, id);
    writeLapFeatures(this.db, id, timed);
  }

  /**
   * Inserts rows of `width` numbers (NaN for null) for session `id`, BATCH rows per statement.
   * A row repeating the previous row's time (a receiver repeating an epoch) is dropped.
   */
  private insertRows(id: number, rows: Float64Array, width: number, st: { batch: Statement; one: Statement }): number {
    const stride = width + 1;
    const params: unknown[] = new Array(BATCH * stride);
    let k = 0;
    let inserted = 0;
    let prevT = NaN;
    for (let o = 0; o < rows.length; o += width) {
      const t = rows[o]!;
      if (t === prevT) continue;
      prevT = t;
      const p = k * stride;
      params[p] = id;
      for (let j = 0; j < width; j++) {
        const v = rows[o + j]!;
        params[p + 1 + j] = v === v ? v : null;
      }
      if (++k === BATCH) {
        inserted += st.batch.run(params).changes;
        k = 0;
      }
    }
    for (let r = 0; r < k; r++) inserted += st.one.run(params.slice(r * stride, (r + 1) * stride)).changes;
    return inserted;
  }
}

/** A whole decoded session, as rows, for `sessions.store`. */
export interface WholeSession {
  header: SessionHeader;
  meta: SessionMetaIn;
  startedAt: number;
  endedAt: number;
  fixes: Float64Array;
  imu: Float64Array;
  unitLaps: unknown[];
  /** Laps timed from the fixes, or null to leave them untimed. */
  laps: TimedLaps | null;
}

const partials = new WeakMap<Db, PartialSessions>();
const partialsOf = (db: Db): PartialSessions => {
  let p = partials.get(db);
  if (!p) partials.set(db, (p = new PartialSessions(db)));
  return p;
};

/** The session tables' writes, run by the store's writer (store-writer.ts). */
export const sessionWrites = {
  /** Stores a whole session in one transaction: the same (unit, session) twice is one copy (stored: false). */
  'sessions.store': (db: Db, s: WholeSession): { stored: boolean; id: number } =>
    db.transaction(() => {
      const h = s.header;
      db.prepare('DELETE FROM sessions WHERE unit_id = ? AND session_id = ? AND complete = 0').run(h.unitId, h.sessionId);
      const existing = db.prepare('SELECT id FROM sessions WHERE unit_id = ? AND session_id = ?').get(h.unitId, h.sessionId) as { id: number } | undefined;
      if (existing) return { stored: false, id: existing.id };
      const info = db
        .prepare(
          `INSERT INTO sessions (unit_id, session_id, sha256, unit_name, driver, track_id, started_at, ended_at, gnss_hz, fixes, imu_samples, size_b, header, unit_laps, synced_at)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(h.unitId, h.sessionId, s.meta.sha256, s.meta.unitName, h.driver, h.trackId, s.startedAt, s.endedAt, h.gnssRateHz, s.fixes.length / FIX_COLUMNS.length, s.imu.length / IMU_COLUMNS.length, s.meta.sizeB, JSON.stringify(h), JSON.stringify(s.unitLaps), Date.now());
      const id = Number(info.lastInsertRowid);
      const p = partialsOf(db);
      p.insertFixes(id, s.fixes);
      p.settleImu(id, p.insertImu(id, s.imu));
      if (s.laps) p.writeLaps(id, s.laps);
      return { stored: true, id };
    })(),
  /** Replaces the laps of sessions (re-timed against a corrected catalog), in one transaction. */
  /** Keeps the layout chosen by hand (null: none) and the laps timed on it, in one transaction. */
  'sessions.chooseTrack': (db: Db, id: number, trackId: string | null, laps: TimedLaps): void =>
    db.transaction(() => {
      db.prepare('UPDATE sessions SET track_choice = ? WHERE id = ?').run(trackId, id);
      partialsOf(db).writeLaps(id, laps);
    })(),
  'sessions.replaceLaps': (db: Db, timed: [number, TimedLaps][]): void => db.transaction(() => timed.forEach(([id, t]) => partialsOf(db).writeLaps(id, t)))(),
};
