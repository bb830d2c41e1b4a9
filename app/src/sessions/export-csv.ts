import type { SessionFix, SessionImuSample } from '@pitwall/protocol';

const num = (v: number | null, digits: number) => (v === null ? '' : v.toFixed(digits));

/**
 * CSV of a session or lap: one row per GNSS fix, with the IMU sample nearest before it
 * (ISO time and epoch ms, position, speed, course, altitude, satellites, HDOP, accelerations, rates).
 */
export function* csvLines(fixes: readonly SessionFix[], imu: readonly SessionImuSample[]): Generator<string> {
  yield 'time_utc,t_ms,lat,lon,alt_m,speed_kmh,course_deg,sats,hdop,fix,accel_x,accel_y,accel_z,gyro_x,gyro_y,gyro_z\n';
  let k = 0;
  for (const f of fixes) {
    while (k + 1 < imu.length && imu[k + 1]!.t <= f.t) k++;
    const s = imu[k];
    const im = s && s.t <= f.t ? [...s.accelMps2.map((v) => v.toFixed(2)), ...s.gyroDps.map((v) => v.toFixed(2))].join(',') : ',,,,,';
    yield `${new Date(f.t).toISOString()},${f.t.toFixed(1)},${num(f.lat, 7)},${num(f.lon, 7)},${num(f.altM, 2)},${num(f.speedMps === null ? null : f.speedMps * 3.6, 2)},${num(f.courseDeg, 2)},${f.satellites},${num(f.hdop, 1)},${f.fix},${im}\n`;
  }
}
