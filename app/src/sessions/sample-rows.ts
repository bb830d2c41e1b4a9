import { FIX_CODE, type IMU_ROW_WIDTH, type SessionFix, type SessionImuSample } from '@pitwall/protocol';

/**
 * Samples as flat rows of numbers, in the column order of their SQLite tables (without the
 * session column), null as NaN. This is what the store inserts, and what crosses to the ingest
 * thread: one transferable buffer instead of thousands of cloned objects.
 */
export const FIX_COLUMNS = ['t', 'fix', 'lat', 'lon', 'alt_m', 'speed_mps', 'course_deg', 'sats', 'hdop'] as const;
/** The protocol's IMU rows (decodeImuRows) have this layout already: the width below does not compile otherwise. */
export const IMU_COLUMNS = ['t', 'ax', 'ay', 'az', 'gx', 'gy', 'gz'] as const;
const IMU_WIDTH: typeof IMU_ROW_WIDTH = IMU_COLUMNS.length;


const orNaN = (v: number | null) => (v === null ? NaN : v);

export function fixRows(fixes: readonly SessionFix[]): Float64Array {
  const w = FIX_COLUMNS.length;
  const rows = new Float64Array(fixes.length * w);
  for (let i = 0; i < fixes.length; i++) {
    const f = fixes[i]!;
    const o = i * w;
    rows[o] = f.t;
    rows[o + 1] = FIX_CODE[f.fix];
    rows[o + 2] = orNaN(f.lat);
    rows[o + 3] = orNaN(f.lon);
    rows[o + 4] = orNaN(f.altM);
    rows[o + 5] = orNaN(f.speedMps);
    rows[o + 6] = orNaN(f.courseDeg);
    rows[o + 7] = f.satellites;
    rows[o + 8] = orNaN(f.hdop);
  }
  return rows;
}

export function imuRows(imu: readonly SessionImuSample[]): Float64Array {
  const w = IMU_WIDTH;
  const rows = new Float64Array(imu.length * w);
  for (let i = 0; i < imu.length; i++) {
    const s = imu[i]!;
    const o = i * w;
    rows[o] = s.t;
    rows[o + 1] = s.accelMps2[0];
    rows[o + 2] = s.accelMps2[1];
    rows[o + 3] = s.accelMps2[2];
    rows[o + 4] = s.gyroDps[0];
    rows[o + 5] = s.gyroDps[1];
    rows[o + 6] = s.gyroDps[2];
  }
  return rows;
}

/** Rows of several pieces as one array. */
export function concatRows(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
