import { emptyLapColumns, nameInterner, packLapColumns, type LapColumns } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import type { TimedLaps } from './lap-analysis.js';

/**
 * A session's laps as columns for the fleet distributions (table lap_features, migration 10),
 * written in the same transaction as the laps: one row per session, its laps packed as float64
 * columns (lap numbers, start times, lap times, a column per sector, one per corner's minimum
 * speed), so a track's
 * 100,000 laps are a range read of a few thousand rows and no per-lap decoding.
 */
export function writeLapFeatures(db: Db, session: number, timed: TimedLaps): void {
  db.prepare('DELETE FROM lap_features WHERE session = ?').run(session);
  const n = timed.laps.length;
  if (!timed.trackId || n === 0) return;
  const s = db.prepare('SELECT driver, unit_id, unit_name FROM sessions WHERE id = ?').get(session) as { driver: string | null; unit_id: string; unit_name: string } | undefined;
  if (!s) return;
  const p = packLapColumns(timed.laps, timed.cornerMinKmh);
  db.prepare('INSERT INTO lap_features (track_id, session, driver, unit_id, unit_name, laps, sectors, corners, columns) VALUES (?,?,?,?,?,?,?,?,?)').run(
    timed.trackId,
    session,
    s.driver,
    s.unit_id,
    s.unit_name,
    n,
    p.sectors,
    p.corners,
    Buffer.from(p.columns.buffer),
  );
}

/** One track's laps as columns (protocol's LapColumns), with each lap's session and number. */
export interface TrackLapColumns extends LapColumns {
  session: Int32Array;
  lap: Int32Array;
}


type Row = [number, string | null, string, number, number, number, Buffer];

/** Every lap of a track (one range scan of the table's key), as columns. */
export function readTrackLaps(db: Db, trackId: string): TrackLapColumns {
  // With the sessions synced from the hub's groups (session 0: not in this store), less those
  // that are this store's own sessions shared and synced back.
  const all = db
    .prepare(
      `SELECT session, driver, unit_name, laps, sectors, corners, columns FROM lap_features WHERE track_id = ?
       UNION ALL
       SELECT 0, driver, unit_id, laps, sectors, corners, columns FROM hub_lap_features h
       WHERE track_id = ? AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.unit_id = h.unit_id AND s.session_id = h.session_id)`,
    )
    .raw()
    .all(trackId, trackId) as Row[];
  // A row whose blob does not match its counts (a damaged file) is left out, not misread.
  const rows = all.filter((r) => r[6].length === r[3] * (3 + r[4] + r[5]) * 8);
  let n = 0;
  let S = 0;
  let C = 0;
  for (const r of rows) {
    n += r[3];
    S = Math.max(S, r[4]);
    C = Math.max(C, r[5]);
  }
  const out: TrackLapColumns = { ...emptyLapColumns(n, S, C), session: new Int32Array(n), lap: new Int32Array(n) };
  const driverOf = nameInterner(out.drivers);
  const unitOf = nameInterner(out.units);
  let at = 0;
  for (const [session, driver, unitName, m, s, c, blob] of rows) {
    // The blob may sit at any byte offset: copied once into an aligned array.
    const cols = new Float64Array(m * (3 + s + c));
    new Uint8Array(cols.buffer).set(blob);
    const d = driverOf(driver ?? unitName);
    const u = unitOf(unitName);
    out.session.fill(session, at, at + m);
    out.driver.fill(d, at, at + m);
    out.unit.fill(u, at, at + m);
    for (let i = 0; i < m; i++) out.lap[at + i] = cols[i]!;
    out.startT.set(cols.subarray(m, 2 * m), at);
    out.timeMs.set(cols.subarray(2 * m, 3 * m), at);
    // Column by column: the session's part of each track column is one copy.
    if (s === S) for (let k = 0; k < S; k++) out.sectorsMs.set(cols.subarray((3 + k) * m, (4 + k) * m), k * n + at);
    if (c === C) for (let k = 0; k < C; k++) out.cornerMinKmh.set(cols.subarray((3 + s + k) * m, (4 + s + k) * m), k * n + at);
    at += m;
  }
  return out;
}
