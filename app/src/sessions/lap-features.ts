import type { LapColumns } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import type { TimedLaps } from './lap-analysis.js';

/**
 * Per-lap rows for the fleet distributions (table lap_features, migration 8): written in the
 * same transaction as the laps, so a distribution reads one range of one table, no join, no
 * JSON: sector times as float64 and corner minimum speeds as float32, packed.
 */
export function writeLapFeatures(db: Db, session: number, timed: TimedLaps): void {
  db.prepare('DELETE FROM lap_features WHERE session = ?').run(session);
  if (!timed.trackId || timed.laps.length === 0) return;
  const s = db.prepare('SELECT driver, unit_id, unit_name FROM sessions WHERE id = ?').get(session) as { driver: string | null; unit_id: string; unit_name: string } | undefined;
  if (!s) return;
  const insert = db.prepare('INSERT INTO lap_features (track_id, session, lap, driver, unit_id, unit_name, start_t, time_ms, sectors, corner_min) VALUES (?,?,?,?,?,?,?,?,?,?)');
  timed.laps.forEach((l, i) => {
    const corners = timed.cornerMinKmh?.[i] ?? [];
    insert.run(
      timed.trackId,
      session,
      l.number,
      s.driver,
      s.unit_id,
      s.unit_name,
      l.startT,
      l.timeMs,
      l.sectorsMs.length ? Buffer.from(Float64Array.from(l.sectorsMs).buffer) : null,
      corners.length ? Buffer.from(Float32Array.from(corners).buffer) : null,
    );
  });
}

/** One track's laps as columns (protocol's LapColumns), with each lap's session and number. */
export interface TrackLapColumns extends LapColumns {
  session: Int32Array;
  lap: Int32Array;
}

const intern = (names: string[], index: Map<string, number>, name: string) => {
  let k = index.get(name);
  if (k === undefined) index.set(name, (k = names.push(name) - 1));
  return k;
};

/** Every lap of a track (one range scan of the table's key), as columns. */
export function readTrackLaps(db: Db, trackId: string): TrackLapColumns {
  const rows = db
    .prepare('SELECT session, lap, driver, unit_name, start_t, time_ms, sectors, corner_min FROM lap_features WHERE track_id = ?')
    .raw()
    .all(trackId) as [number, number, string | null, string, number, number, Buffer | null, Buffer | null][];
  const n = rows.length;
  let sectorCount = 0;
  let cornerCount = 0;
  for (const r of rows) {
    if (r[6]) sectorCount = Math.max(sectorCount, r[6].length / 8);
    if (r[7]) cornerCount = Math.max(cornerCount, r[7].length / 4);
  }
  const out: TrackLapColumns = {
    count: n,
    session: new Int32Array(n),
    lap: new Int32Array(n),
    driver: new Int32Array(n),
    drivers: [],
    unit: new Int32Array(n),
    units: [],
    startT: new Float64Array(n),
    timeMs: new Float64Array(n),
    sectorsMs: new Float64Array(n * sectorCount).fill(NaN),
    sectorCount,
    cornerMinKmh: new Float32Array(n * cornerCount).fill(NaN),
    cornerCount,
  };
  const driverIndex = new Map<string, number>();
  const unitIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const [session, lap, driver, unitName, startT, timeMs, sectors, corners] = rows[i]!;
    out.session[i] = session;
    out.lap[i] = lap;
    out.driver[i] = intern(out.drivers, driverIndex, driver ?? unitName);
    out.unit[i] = intern(out.units, unitIndex, unitName);
    out.startT[i] = startT;
    out.timeMs[i] = timeMs;
    // Blobs may sit at any byte offset: read them through a DataView (little-endian, as written).
    if (sectors && sectors.length === sectorCount * 8) {
      const v = new DataView(sectors.buffer, sectors.byteOffset, sectors.length);
      for (let k = 0; k < sectorCount; k++) out.sectorsMs[i * sectorCount + k] = v.getFloat64(k * 8, true);
    }
    if (corners && corners.length === cornerCount * 4) {
      const v = new DataView(corners.buffer, corners.byteOffset, corners.length);
      for (let k = 0; k < cornerCount; k++) out.cornerMinKmh[i * cornerCount + k] = v.getFloat32(k * 4, true);
    }
  }
  return out;
}
