/**
 * Racelogic VBO text export of a session: `[header]` (channel names), `[channel units]`,
 * `[comments]`, `[laptiming]` (the track's gates, when the session's track is known),
 * `[column names]`, `[data]`. One data row per distinct sample time; GNSS columns carry the
 * latest fix and IMU columns the latest sample (as a VBOX logging at the IMU rate does). The
 * comments state the header's rates. Time is UTC HHMMSS.SS, so rows are at most 100 a second:
 * an IMU above that (the LSM6DSOX's 104 Hz) leaves the later of two samples that share a 10 ms
 * row. Latitude and longitude are in minutes, longitude positive WEST as in VBO files; velocity
 * km/h, heading degrees, height metres, accelerations g, rates deg/s.
 */
import type { TimingLine, TrackDefinition } from '../tracks/track-definition.js';
import type { SessionFix, SessionHeader, SessionImuSample } from './session-schema.js';

const G = 9.80665;

const sign = (v: number, width: number, decimals: number) => (v < 0 ? '-' : '+') + Math.abs(v).toFixed(decimals).padStart(width, '0');

export function vboTime(tMs: number): string {
  const d = new Date(Math.round(tMs / 10) * 10);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.${p(Math.floor(d.getUTCMilliseconds() / 10))}`;
}

function vboDate(tMs: number): string {
  const d = new Date(tMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} @ ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export interface VboInput {
  header: SessionHeader;
  fixes: readonly SessionFix[];
  imu: readonly SessionImuSample[];
  /** The track the laps were timed on: its start/finish and sector lines become `[laptiming]` gates. */
  track?: Pick<TrackDefinition, 'startFinish' | 'sectors'> | null;
}

/** Minutes with sign and six decimals (about 2 mm), longitude positive west, as VBOX writes gates. */
const gateMinutes = (v: number) => (v < 0 ? '-' : '+') + Math.abs(v * 60).toFixed(6);

/** One gate: `Start|Split  lon lat lon lat  ¬ name`, each end of the line as longitude (west +) then latitude. */
export function vboGate(kind: 'Start' | 'Split', line: TimingLine, name: string): string {
  const end = (p: TimingLine['a']) => `${gateMinutes(-p.lon)} ${gateMinutes(p.lat)}`;
  return `${kind} ${end(line.a)} ${end(line.b)} \u00ac ${name}`;
}

/** The VBO text as chunks of lines (join them, or stream them to a file). */
export function* vboLines(s: VboInput): Generator<string> {
  const withImu = s.imu.length > 0;
  const channels = ['satellites', 'time', 'latitude', 'longitude', 'velocity kmh', 'heading', 'height'];
  const units = ['', 'UTC', 'min', 'min', 'kmh', 'deg', 'm'];
  const names = ['sats', 'time', 'lat', 'long', 'velocity', 'heading', 'height'];
  if (withImu) {
    channels.push('accel x', 'accel y', 'accel z', 'gyro x', 'gyro y', 'gyro z');
    units.push('g', 'g', 'g', 'deg/s', 'deg/s', 'deg/s');
    names.push('accelx', 'accely', 'accelz', 'gyrox', 'gyroy', 'gyroz');
  }
  const first = Math.min(s.fixes[0]?.t ?? Infinity, s.imu[0]?.t ?? Infinity);
  yield `File created on ${vboDate(Number.isFinite(first) ? first : 0)}\r\n\r\n`;
  yield `[header]\r\n${channels.join('\r\n')}\r\n\r\n`;
  yield `[channel units]\r\n${units.join('\r\n')}\r\n\r\n`;
  yield `[comments]\r\nPitwall session ${s.header.sessionId} unit ${s.header.unitId}\r\nGNSS ${s.header.gnssRateHz} Hz${s.header.imu ? `, IMU ${s.header.imu.chip} ${s.header.imu.rateHz} Hz` : ''}\r\n\r\n`;
  if (s.track) {
    const gates = [vboGate('Start', s.track.startFinish, 'StartFinish'), ...(s.track.sectors ?? []).map((l, i) => vboGate('Split', l, `Split ${i + 1}`))];
    yield `[laptiming]\r\n${gates.join('\r\n')}\r\n\r\n`;
  }
  yield `[column names]\r\n${names.join(' ')}\r\n\r\n[data]\r\n`;
  let fi = 0;
  let ii = 0;
  let fix: SessionFix | null = null;
  let imu: SessionImuSample | null = null;
  let rows: string[] = [];
  while (fi < s.fixes.length || ii < s.imu.length) {
    const tf = s.fixes[fi]?.t ?? Infinity;
    const ti = s.imu[ii]?.t ?? Infinity;
    const t = Math.min(tf, ti);
    // Everything that falls on this row's time (10 ms resolution) joins it.
    const slot = Math.round(t / 10);
    while (fi < s.fixes.length && Math.round(s.fixes[fi]!.t / 10) === slot) fix = s.fixes[fi++]!;
    while (ii < s.imu.length && Math.round(s.imu[ii]!.t / 10) === slot) imu = s.imu[ii++]!;
    if (!fix || fix.lat === null || fix.lon === null) continue;
    let row = [
      String(Math.min(fix.satellites, 999)).padStart(3, '0'),
      vboTime(t),
      sign(fix.lat * 60, 11, 5),
      sign(-fix.lon * 60, 11, 5),
      ((fix.speedMps ?? 0) * 3.6).toFixed(3).padStart(7, '0'),
      (fix.courseDeg ?? 0).toFixed(2).padStart(6, '0'),
      sign(fix.altM ?? 0, 8, 2),
    ].join(' ');
    if (withImu) {
      const a = imu?.accelMps2 ?? [0, 0, 0];
      const g = imu?.gyroDps ?? [0, 0, 0];
      row += ' ' + [...a.map((v) => sign(v / G, 6, 4)), ...g.map((v) => sign(v, 6, 2))].join(' ');
    }
    rows.push(row);
    if (rows.length >= 1000) {
      yield rows.join('\r\n') + '\r\n';
      rows = [];
    }
  }
  if (rows.length) yield rows.join('\r\n') + '\r\n';
}

export function exportVbo(s: VboInput): string {
  return [...vboLines(s)].join('');
}
