/**
 * The end of a simulated run: after a recording's last epoch the car brakes to a stop along
 * its last course (into the pit lane) and stands there, so the unit sees what it sees when a
 * driver comes in: speed falling to zero, then a parked car. The extra epochs are written at
 * the recording's own rate, built from its last second of sentences (GGA and RMC rewritten,
 * GSA/GSV kept), so the receiver's cadence and talkers stay the same.
 */
import { withChecksum } from '../../pipeline/nmea-framer.js';
import { shiftSentenceTime, type Recording, type ReplayEpoch } from './nmea-recording.js';

/** Firm braking for a car coming in, m/s^2. */
const PIT_BRAKE_MPS2 = 6;
const M_PER_DEG_LAT = 111_195;
const KNOTS_PER_MPS = 3600 / 1852;
const GGA_RMC = /^\$..(GGA|RMC),/;

interface LastFix {
  lat: number;
  lon: number;
  speedMps: number;
  courseDeg: number;
}

function degMin(field: string, hemi: string): number | null {
  const v = Number(field);
  if (field === '' || !Number.isFinite(v)) return null;
  const deg = Math.trunc(v / 100);
  const value = deg + (v - deg * 100) / 60;
  return hemi === 'S' || hemi === 'W' ? -value : value;
}

/** Degrees as NMEA ddmm.mmmmm / dddmm.mmmmm with the template's decimals, and the hemisphere. */
function toDegMin(value: number, lat: boolean, decimals: number): [string, string] {
  const a = Math.abs(value);
  let deg = Math.trunc(a);
  let min = Number(((a - deg) * 60).toFixed(decimals));
  if (min >= 60) {
    deg += 1;
    min -= 60;
  }
  const hemi = lat ? (value < 0 ? 'S' : 'N') : value < 0 ? 'W' : 'E';
  return [`${String(deg).padStart(lat ? 2 : 3, '0')}${min.toFixed(decimals).padStart(3 + decimals, '0')}`, hemi];
}

function lastFixOf(rec: Recording): LastFix | null {
  for (let i = rec.epochs.length - 1; i >= 0; i--) {
    for (const line of rec.epochs[i]!.lines) {
      const f = line.slice(1, line.lastIndexOf('*')).split(',');
      if (!/^..RMC$/.test(f[0] ?? '') || f[2] !== 'A') continue;
      const lat = degMin(f[3] ?? '', f[4] ?? '');
      const lon = degMin(f[5] ?? '', f[6] ?? '');
      if (lat === null || lon === null) continue;
      return { lat, lon, speedMps: Number(f[7] || 0) / KNOTS_PER_MPS, courseDeg: Number(f[8] || 0) };
    }
  }
  return null;
}

/** One GGA or RMC line of the template, moved to `at` and `speedMps`. */
function rewrite(line: string, at: { lat: number; lon: number }, speedMps: number, courseDeg: number): string {
  const kind = GGA_RMC.exec(line)?.[1];
  const star = line.lastIndexOf('*');
  const f = line.slice(1, star).split(',');
  const base = kind === 'RMC' ? 3 : 2;
  if (!kind || f[base] === '' || f[base + 2] === '') return line;
  const decimals = (f[base]!.split('.')[1] ?? '').length;
  [f[base], f[base + 1]] = toDegMin(at.lat, true, decimals);
  [f[base + 2], f[base + 3]] = toDegMin(at.lon, false, decimals);
  if (kind === 'RMC') {
    f[7] = (speedMps * KNOTS_PER_MPS).toFixed(3);
    f[8] = courseDeg.toFixed(2);
  }
  return withChecksum(f.join(','));
}

/**
 * The recording followed by a stop: braking from the last fix's speed to zero along its
 * course, then `standS` seconds parked. A recording without a fix is returned unchanged.
 */
export function withPitStop(rec: Recording, standS: number): Recording {
  const last = lastFixOf(rec);
  const lastEpoch = rec.epochs.at(-1);
  if (!last || !lastEpoch || standS <= 0) return rec;
  const stepMs = rec.durationMs - lastEpoch.offsetMs;
  // The template: the recording's last second of epochs, repeated in order.
  const perSecond = Math.max(1, Math.round(1000 / stepMs));
  const template = rec.epochs.slice(-perSecond);
  const brakeS = last.speedMps / PIT_BRAKE_MPS2;
  const count = Math.ceil(((brakeS + standS) * 1000) / stepMs);
  const cos = Math.cos((last.courseDeg * Math.PI) / 180);
  const sin = Math.sin((last.courseDeg * Math.PI) / 180);
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((last.lat * Math.PI) / 180);
  const tail: ReplayEpoch[] = [];
  for (let k = 1; k <= count; k++) {
    const s = Math.min(brakeS, (k * stepMs) / 1000);
    const speedMps = Math.max(0, last.speedMps - PIT_BRAKE_MPS2 * s);
    const d = last.speedMps * s - (PIT_BRAKE_MPS2 * s * s) / 2;
    const at = { lat: last.lat + (d * cos) / M_PER_DEG_LAT, lon: last.lon + (d * sin) / mPerDegLon };
    const src = template[(k - 1) % template.length]!;
    const offsetMs = lastEpoch.offsetMs + k * stepMs;
    tail.push({ offsetMs, lines: src.lines.map((l) => rewrite(shiftSentenceTime(l, offsetMs - src.offsetMs), at, speedMps, last.courseDeg)) });
  }
  return { epochs: [...rec.epochs, ...tail], durationMs: tail.at(-1)!.offsetMs + stepMs };
}
