import { FIX_NAME, sessionLaps, type SessionData, type SessionFix, type SessionImuSample, type TrackDefinition } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { recomputeLaps } from './lap-analysis.js';
import type { SessionMetaIn } from './partial-sessions.js';
import { readImuRows } from './imu-blocks.js';
import { fixRows, imuRows, IMU_COLUMNS } from './sample-rows.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';

export type { SessionMetaIn } from './partial-sessions.js';

export interface StoredSession {
  id: number;
  unitId: string;
  sessionId: string;
  sha256: string;
  unitName: string;
  driver: string | null;
  trackId: string | null;
  /** True when a person chose the layout (else the track chooser did). */
  trackByHand: boolean;
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

/** Sessions, samples and recomputed laps in SQLite. */
export class SessionStore {
  /** The store's writer: a sync's rows go to it (sessions/ingest-thread.ts). */
  readonly writer: StoreWriter;

  constructor(
    private readonly db: Db,
    private readonly tracks: () => readonly TrackDefinition[],
  ) {
    this.writer = storeWriter(db);
  }

  /** The connection this store reads (an in-memory store's sync writes on it too). */
  database(): Db {
    return this.db;
  }

  has(unitId: string, sessionId: string): boolean {
    return this.db.prepare('SELECT 1 FROM sessions WHERE unit_id = ? AND session_id = ? AND complete = 1').get(unitId, sessionId) !== undefined;
  }

  /** The tracks laps are timed against (for a streaming timer). */
  trackList(): readonly TrackDefinition[] {
    return this.tracks();
  }

  /**
   * Stores a decoded session in one transaction: the same (unit, session) twice is one copy
   * (returns false the second time). Laps are timed from the fixes here; the rows go to the
   * writer as buffers (handed over, not copied).
   */
  ingest(data: SessionData, meta: SessionMetaIn, o: { laps?: boolean } = {}): { stored: boolean; id: number } {
    const h = data.header;
    const fixes = [...data.fixes].sort((a, b) => a.t - b.t);
    const imu = [...data.imu].sort((a, b) => a.t - b.t);
    const startedAt = fixes[0]?.t ?? Date.parse(h.startedAt);
    const endedAt = Math.max(fixes.at(-1)?.t ?? startedAt, imu.at(-1)?.t ?? startedAt);
    const rows = { fixes: fixRows(fixes), imu: imuRows(imu) };
    // Timed on the layout the driven path decides: nobody has chosen one for a new session.
    const laps = o.laps !== false ? recomputeLaps(fixes, this.tracks(), null) : null;
    const unitLaps = sessionLaps(data.events);
    return this.writer.runTransferring([rows.fixes.buffer as ArrayBuffer, rows.imu.buffer as ArrayBuffer], 'sessions.store', { header: h, meta, startedAt, endedAt, ...rows, unitLaps, laps });
  }

  /** Re-times every stored session against the current catalog (after a track was corrected). */
  retimeAll(): number {
    const ids = (this.db.prepare('SELECT id FROM sessions WHERE complete = 1').all() as { id: number }[]).map((r) => r.id);
    // A complete session's fixes never change: they are read here, the laps written in one transaction.
    this.writer.run(
      'sessions.replaceLaps',
      ids.map((id) => [id, recomputeLaps(this.fixes(id), this.tracks(), this.trackChoice(id))]),
    );
    return ids.length;
  }

  /**
   * Sessions with laps stored before the fleet distributions' rows existed (migration 10) get
   * them: re-timed from their fixes, at most `limit` a call (each is a read of its fixes and a
   * write). Returns how many it filled; 0 when none is left.
   */
  fillLapFeatures(limit = 10): number {
    const ids = (
      this.db
        .prepare('SELECT DISTINCT l.session AS id FROM session_laps l WHERE NOT EXISTS (SELECT 1 FROM lap_features f WHERE f.session = l.session) LIMIT ?')
        .all(limit) as { id: number }[]
    ).map((r) => r.id);
    if (ids.length) this.writer.run('sessions.replaceLaps', ids.map((id) => [id, recomputeLaps(this.fixes(id), this.tracks(), this.trackChoice(id))]));
    return ids.length;
  }

  /**
   * Re-times a session on a layout chosen by hand (null: back to the track chooser) and keeps
   * the choice for later re-timing and exports. Throws on an unknown layout, changing nothing.
   */
  chooseTrack(id: number, trackId: string | null, added: readonly TrackDefinition[] = []): void {
    if (trackId !== null && ![...this.tracks(), ...added].some((t) => t.id === trackId)) throw new Error(`no track "${trackId}" (pitwall tracks lists them)`);
    this.writer.run('sessions.chooseTrack', id, trackId, recomputeLaps(this.fixes(id), [...this.tracks(), ...added], trackId));
  }

  /** Where the session was first positioned, or null. */
  firstPosition(id: number): { lat: number; lon: number } | null {
    const row = this.db.prepare('SELECT lat, lon FROM session_fixes WHERE session = ? AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY t LIMIT 1').get(id) as { lat: number; lon: number } | undefined;
    return row ?? null;
  }

  private trackChoice(id: number): string | null {
    const row = this.db.prepare('SELECT track_choice FROM sessions WHERE id = ?').get(id) as { track_choice: string | null } | undefined;
    return row?.track_choice ?? null;
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
    const rows = readImuRows(this.db, id, from, to);
    const w = IMU_COLUMNS.length;
    const out: SessionImuSample[] = new Array(rows.length / w);
    for (let i = 0, o = 0; o < rows.length; i++, o += w) out[i] = { t: rows[o]!, accelMps2: [rows[o + 1]!, rows[o + 2]!, rows[o + 3]!], gyroDps: [rows[o + 4]!, rows[o + 5]!, rows[o + 6]!] };
    return out;
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
    trackByHand: r.track_choice !== null && r.track_choice !== undefined,
    startedAt: r.started_at as number,
    endedAt: r.ended_at as number,
    fixes: r.fixes as number,
    imuSamples: r.imu_samples as number,
    sizeB: r.size_b as number,
    laps: r.lap_count as number,
    bestLapMs: (r.best as number | null) ?? null,
  };
}
