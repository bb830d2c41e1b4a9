import type { Statement } from 'better-sqlite3';
import type { SessionData, SessionFix, SessionImuSample, TrackDefinition } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { recomputeLaps, type TimedLaps } from './lap-analysis.js';
import { FIX_COLUMNS, FIX_NAME, fixRows, IMU_COLUMNS, imuRows } from './sample-rows.js';
import type { StreamedSession } from './stream-decoder.js';

export interface StoredSession {
  id: number;
  unitId: string;
  sessionId: string;
  sha256: string;
  unitName: string;
  driver: string | null;
  trackId: string | null;
  startedAt: number;
  endedAt: number;
  fixes: number;
  imuSamples: number;
  sizeB: number;
  laps: number;
  bestLapMs: number | null;
}

export interface StoredLap {
  lap: number;
  trackId: string;
  startT: number;
  endT: number;
  timeMs: number;
  distanceM: number;
  sectorsMs: number[];
}

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

const FIX_COLS = ['session', ...FIX_COLUMNS];
const IMU_COLS = ['session', ...IMU_COLUMNS];

/** Sessions, samples and recomputed laps in SQLite. */
export class SessionStore {
  private readonly fixInsert: { batch: Statement; one: Statement };
  private readonly imuInsert: { batch: Statement; one: Statement };
  /** Rows inserted so far into each incomplete session (saves counting them at the end). */
  private readonly partialRows = new Map<number, { fixes: number; imu: number }>();

  constructor(
    private readonly db: Db,
    private readonly tracks: () => readonly TrackDefinition[],
  ) {
    this.fixInsert = { batch: insertStatement(db, 'session_fixes', FIX_COLS, BATCH), one: insertStatement(db, 'session_fixes', FIX_COLS, 1) };
    this.imuInsert = { batch: insertStatement(db, 'session_imu', IMU_COLS, BATCH), one: insertStatement(db, 'session_imu', IMU_COLS, 1) };
  }

  /** The database file, or null for an in-memory store (another thread cannot open that one). */
  file(): string | null {
    return this.db.memory ? null : this.db.name;
  }

  has(unitId: string, sessionId: string): boolean {
    return this.db.prepare('SELECT 1 FROM sessions WHERE unit_id = ? AND session_id = ? AND complete = 1').get(unitId, sessionId) !== undefined;
  }

  /**
   * Starts a session whose samples arrive during its download (rows marked incomplete, never
   * listed); a leftover incomplete copy from an interrupted run is dropped first.
   */
  beginPartial(h: SessionData['header'], meta: SessionMetaIn): number | null {
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

  /** Adds streamed samples (in time order) to an incomplete session, in one transaction. */
  appendPartial(id: number, fixes: readonly SessionFix[], imu: readonly SessionImuSample[]): void {
    this.appendPartialRows(id, fixRows(fixes), imuRows(imu));
  }

  /** The same with samples as rows (sample-rows.ts). */
  appendPartialRows(id: number, fixes: Float64Array, imu: Float64Array): void {
    this.db.transaction(() => {
      const n = this.partialRows.get(id) ?? { fixes: 0, imu: 0 };
      n.fixes += this.insertRows(id, fixes, FIX_COLUMNS.length, this.fixInsert);
      n.imu += this.insertRows(id, imu, IMU_COLUMNS.length, this.imuInsert);
      this.partialRows.set(id, n);
    })();
  }

  /** Marks a streamed session complete once its whole file verified: counts, time span, the unit's laps, our laps timed on the way. */
  completePartial(id: number, s: StreamedSession, laps: TimedLaps): void {
    this.db.transaction(() => {
      const n = this.partialRows.get(id) ?? { fixes: 0, imu: 0 };
      this.partialRows.delete(id);
      const startedAt = s.firstFixT ?? Date.parse(s.header.startedAt);
      const endedAt = Math.max(s.lastFixT ?? startedAt, s.lastImuT ?? startedAt);
      this.db
        .prepare('UPDATE sessions SET started_at = ?, ended_at = ?, fixes = ?, imu_samples = ?, unit_laps = ?, complete = 1 WHERE id = ? AND complete = 0')
        .run(startedAt, endedAt, n.fixes, n.imu, JSON.stringify(s.events.filter((e) => e.type === 'lap')), id);
      this.storeLaps(id, [], s.header.trackId, laps);
    })();
  }

  /** The tracks laps are timed against (for a streaming timer). */
  trackList(): readonly TrackDefinition[] {
    return this.tracks();
  }

  dropPartial(id: number): void {
    this.partialRows.delete(id);
    this.db.prepare('DELETE FROM sessions WHERE id = ? AND complete = 0').run(id);
  }

  /**
   * Stores a decoded session in one transaction: the same (unit, session) twice is one copy
   * (returns false the second time). Laps are timed from the fixes here.
   */
  ingest(data: SessionData, meta: SessionMetaIn, o: { laps?: boolean } = {}): { stored: boolean; id: number } {
    const h = data.header;
    const unitLaps = data.events.filter((e) => e.type === 'lap');
    const fixes = [...data.fixes].sort((a, b) => a.t - b.t);
    const imu = [...data.imu].sort((a, b) => a.t - b.t);
    const startedAt = fixes[0]?.t ?? Date.parse(h.startedAt);
    const endedAt = Math.max(fixes.at(-1)?.t ?? startedAt, imu.at(-1)?.t ?? startedAt);
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE unit_id = ? AND session_id = ? AND complete = 0').run(h.unitId, h.sessionId);
      const existing = this.db.prepare('SELECT id FROM sessions WHERE unit_id = ? AND session_id = ?').get(h.unitId, h.sessionId) as { id: number } | undefined;
      if (existing) return { stored: false, id: existing.id };
      const info = this.db
        .prepare(
          `INSERT INTO sessions (unit_id, session_id, sha256, unit_name, driver, track_id, started_at, ended_at, gnss_hz, fixes, imu_samples, size_b, header, unit_laps, synced_at)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(h.unitId, h.sessionId, meta.sha256, meta.unitName, h.driver, h.trackId, startedAt, endedAt, h.gnssRateHz, fixes.length, imu.length, meta.sizeB, JSON.stringify(h), JSON.stringify(unitLaps), Date.now());
      const id = Number(info.lastInsertRowid);
      this.insertRows(id, fixRows(fixes), FIX_COLUMNS.length, this.fixInsert);
      this.insertRows(id, imuRows(imu), IMU_COLUMNS.length, this.imuInsert);
      if (o.laps !== false) this.storeLaps(id, fixes, h.trackId);
      return { stored: true, id };
    })();
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

  private storeLaps(id: number, fixes: readonly SessionFix[], unitTrackId: string | null, precomputed?: TimedLaps): void {
    this.db.prepare('DELETE FROM session_laps WHERE session = ?').run(id);
    const timed = precomputed ?? recomputeLaps(fixes, this.tracks(), unitTrackId);
    const insert = this.db.prepare('INSERT INTO session_laps (session, lap, track_id, start_t, end_t, time_ms, distance_m, sectors_ms) VALUES (?,?,?,?,?,?,?,?)');
    for (const l of timed.laps) insert.run(id, l.number, timed.trackId!, l.startT, l.endT, l.timeMs, l.distanceM, JSON.stringify(l.sectorsMs));
    if (timed.trackId) this.db.prepare('UPDATE sessions SET track_id = ? WHERE id = ?').run(timed.trackId, id);
  }

  /** Re-times every stored session against the current catalog (after a track was corrected). */
  retimeAll(): number {
    const ids = (this.db.prepare('SELECT id FROM sessions WHERE complete = 1').all() as { id: number }[]).map((r) => r.id);
    this.db.transaction(() => {
      for (const id of ids) this.storeLaps(id, this.fixes(id), this.find(id)?.trackId ?? null);
    })();
    return ids.length;
  }

  list(): StoredSession[] {
    const rows = this.db
      .prepare(
        `SELECT s.*, (SELECT COUNT(*) FROM session_laps l WHERE l.session = s.id) AS lap_count,
                (SELECT MIN(time_ms) FROM session_laps l WHERE l.session = s.id) AS best
         FROM sessions s WHERE complete = 1 ORDER BY started_at DESC, id DESC`,
      )
      .all() as Record<string, unknown>[];
    return rows.map(toSession);
  }

  find(id: number): StoredSession | null {
    return this.list().find((s) => s.id === id) ?? null;
  }

  /** A session by row id, or by its unit's session id (unique prefix allowed). */
  resolve(ref: string): StoredSession | null {
    const all = this.list();
    if (/^\d+$/.test(ref)) {
      const byRow = all.find((s) => s.id === Number(ref));
      if (byRow) return byRow;
    }
    const hits = all.filter((s) => s.sessionId === ref || s.sessionId.startsWith(ref));
    return hits.length === 1 ? hits[0]! : null;
  }

  laps(id: number): StoredLap[] {
    const rows = this.db.prepare('SELECT * FROM session_laps WHERE session = ? ORDER BY lap').all(id) as Record<string, unknown>[];
    return rows.map((r) => ({
      lap: r.lap as number,
      trackId: r.track_id as string,
      startT: r.start_t as number,
      endT: r.end_t as number,
      timeMs: r.time_ms as number,
      distanceM: r.distance_m as number,
      sectorsMs: JSON.parse(r.sectors_ms as string) as number[],
    }));
  }

  fixes(id: number, from = -Infinity, to = Infinity): SessionFix[] {
    const rows = this.db
      .prepare('SELECT t, fix, lat, lon, alt_m, speed_mps, course_deg, sats, hdop FROM session_fixes WHERE session = ? AND t >= ? AND t <= ? ORDER BY t')
      .raw()
      .all(id, from, to) as [number, number, number | null, number | null, number | null, number | null, number | null, number, number | null][];
    return rows.map(([t, fix, lat, lon, altM, speedMps, courseDeg, satellites, hdop]) => ({ t, fix: FIX_NAME[fix] ?? 'none', lat, lon, altM, speedMps, courseDeg, satellites, hdop }));
  }

  imu(id: number, from = -Infinity, to = Infinity): SessionImuSample[] {
    const rows = this.db.prepare('SELECT t, ax, ay, az, gx, gy, gz FROM session_imu WHERE session = ? AND t >= ? AND t <= ? ORDER BY t').raw().all(id, from, to) as number[][];
    return rows.map(([t, ax, ay, az, gx, gy, gz]) => ({ t: t!, accelMps2: [ax!, ay!, az!], gyroDps: [gx!, gy!, gz!] }));
  }

  /** The unit's own lap events as recorded (for comparison with the recomputed laps). */
  unitLaps(id: number): { lap: number; timeMs: number; sectorsMs: number[] }[] {
    const row = this.db.prepare('SELECT unit_laps FROM sessions WHERE id = ?').get(id) as { unit_laps: string } | undefined;
    return row ? (JSON.parse(row.unit_laps) as { lap: number; timeMs: number; sectorsMs: number[] }[]) : [];
  }

  header(id: number): unknown {
    const row = this.db.prepare('SELECT header FROM sessions WHERE id = ?').get(id) as { header: string } | undefined;
    return row ? JSON.parse(row.header) : null;
  }
}

function toSession(r: Record<string, unknown>): StoredSession {
  return {
    id: r.id as number,
    unitId: r.unit_id as string,
    sessionId: r.session_id as string,
    sha256: r.sha256 as string,
    unitName: r.unit_name as string,
    driver: (r.driver as string | null) ?? null,
    trackId: (r.track_id as string | null) ?? null,
    startedAt: r.started_at as number,
    endedAt: r.ended_at as number,
    fixes: r.fixes as number,
    imuSamples: r.imu_samples as number,
    sizeB: r.size_b as number,
    laps: r.lap_count as number,
    bestLapMs: (r.best as number | null) ?? null,
  };
}
