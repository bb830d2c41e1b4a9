/**
 * Compact binary blocks of GNSS fixes and IMU samples (see session-format.md). Values are
 * fixed-point integers; time and position are stored as deltas of deltas (constant rate and
 * steady motion cost about one byte each), the rest as deltas, all as zigzag varints. Each
 * block starts from zero so it decodes on its own.
 */
import { ByteReader, ByteWriter, DecodeError } from './byte-codec.js';
import { FIX_CODE, FIX_NAME } from '../device-api/gnss-status.js';
import type { SessionFix, SessionImuSample } from './session-schema.js';

const TICKS_PER_MS = 10; // time resolution 0.1 ms
const DEG_E7 = 1e7;
const HAS_ALT = 4;
const HAS_SPEED = 8;
const HAS_COURSE = 16;
const HAS_HDOP = 32;
const HAS_POS = 64;

/** Second-order predictor state for one integer channel. */
class Dod {
  prev = 0;
  prevDelta = 0;
  encode(w: ByteWriter, v: number): void {
    const delta = v - this.prev;
    w.svar(delta - this.prevDelta);
    this.prev = v;
    this.prevDelta = delta;
  }
  decode(r: ByteReader): number {
    this.prevDelta += r.svar();
    this.prev += this.prevDelta;
    return this.prev;
  }
}

const wrapCourse = (d: number) => ((((d + 18000) % 36000) + 36000) % 36000) - 18000;

export function encodeFixes(fixes: readonly SessionFix[]): Uint8Array {
  const w = new ByteWriter(16 + fixes.length * 12);
  const base = fixes[0]?.t ?? 0;
  w.f64(base);
  w.uvar(fixes.length);
  const t = new Dod();
  const lat = new Dod();
  const lon = new Dod();
  let alt = 0;
  let speed = 0;
  let course = 0;
  for (const f of fixes) {
    const hasPos = f.lat !== null && f.lon !== null;
    const flags =
      FIX_CODE[f.fix] | (f.altM !== null ? HAS_ALT : 0) | (f.speedMps !== null ? HAS_SPEED : 0) | (f.courseDeg !== null ? HAS_COURSE : 0) | (f.hdop !== null ? HAS_HDOP : 0) | (hasPos ? HAS_POS : 0);
    w.u8(flags);
    t.encode(w, Math.round((f.t - base) * TICKS_PER_MS));
    if (hasPos) {
      lat.encode(w, Math.round((f.lat as number) * DEG_E7));
      lon.encode(w, Math.round((f.lon as number) * DEG_E7));
    }
    if (f.altM !== null) {
      const v = Math.round(f.altM * 100);
      w.svar(v - alt);
      alt = v;
    }
    if (f.speedMps !== null) {
      const v = Math.round(f.speedMps * 100);
      w.svar(v - speed);
      speed = v;
    }
    if (f.courseDeg !== null) {
      const v = Math.round(f.courseDeg * 100) % 36000;
      w.svar(wrapCourse(v - course));
      course = v;
    }
    w.u8(Math.min(255, Math.max(0, f.satellites)));
    if (f.hdop !== null) w.uvar(Math.min(100_000, Math.round(f.hdop * 10)));
  }
  return w.finish();
}

export function decodeFixes(bytes: Uint8Array): SessionFix[] {
  const r = new ByteReader(bytes);
  const base = r.f64();
  const count = r.uvar();
  const out: SessionFix[] = [];
  const t = new Dod();
  const lat = new Dod();
  const lon = new Dod();
  let alt = 0;
  let speed = 0;
  let course = 0;
  for (let i = 0; i < count; i++) {
    const flags = r.u8();
    const tick = t.decode(r);
    const hasPos = (flags & HAS_POS) !== 0;
    const la = hasPos ? lat.decode(r) / DEG_E7 : null;
    const lo = hasPos ? lon.decode(r) / DEG_E7 : null;
    if (flags & HAS_ALT) alt += r.svar();
    if (flags & HAS_SPEED) speed += r.svar();
    if (flags & HAS_COURSE) course = (((course + r.svar()) % 36000) + 36000) % 36000;
    const satellites = r.u8();
    const hdop = flags & HAS_HDOP ? r.uvar() / 10 : null;
    out.push({
      t: base + tick / TICKS_PER_MS,
      fix: FIX_NAME[flags & 3] ?? 'none',
      lat: la,
      lon: lo,
      altM: flags & HAS_ALT ? alt / 100 : null,
      speedMps: flags & HAS_SPEED ? speed / 100 : null,
      courseDeg: flags & HAS_COURSE ? course / 100 : null,
      satellites,
      hdop,
    });
  }
  return out;
}

export function encodeImu(samples: readonly SessionImuSample[]): Uint8Array {
  const rows = new Float64Array(samples.length * IMU_ROW_WIDTH);
  for (let i = 0, o = 0; i < samples.length; i++, o += IMU_ROW_WIDTH) {
    const s = samples[i]!;
    rows[o] = s.t;
    for (let j = 0; j < 3; j++) {
      rows[o + 1 + j] = s.accelMps2[j]!;
      rows[o + 4 + j] = s.gyroDps[j]!;
    }
  }
  return encodeImuRows(rows);
}

/** An IMU block from rows of `IMU_ROW_WIDTH` numbers (the layout `decodeImuRows` gives back). */
export function encodeImuRows(rows: Float64Array): Uint8Array {
  const count = rows.length / IMU_ROW_WIDTH;
  const w = new ByteWriter(16 + count * 10);
  const base = count > 0 ? rows[0]! : 0;
  w.f64(base);
  w.uvar(count);
  const t = new Dod();
  const prev = [0, 0, 0, 0, 0, 0];
  for (let o = 0; o < rows.length; o += IMU_ROW_WIDTH) {
    t.encode(w, Math.round((rows[o]! - base) * TICKS_PER_MS));
    for (let i = 0; i < 6; i++) {
      const v = Math.round(rows[o + 1 + i]! * 100);
      w.svar(v - prev[i]!);
      prev[i] = v;
    }
  }
  return w.finish();
}

/** Values per IMU sample in `decodeImuRows`: t (ms), accel x y z (m/s^2), gyro x y z (deg/s). */
export const IMU_ROW_WIDTH = 7;

/**
 * An IMU block as flat rows of numbers (`IMU_ROW_WIDTH` per sample, in the order above): for
 * readers that store or transfer samples in bulk without making an object per sample.
 */
export function decodeImuRows(bytes: Uint8Array): Float64Array {
  const r = new ByteReader(bytes);
  const base = r.f64();
  const count = r.uvar();
  // Each sample takes at least 7 bytes: a count larger than the block can hold is corrupt.
  if (count * IMU_ROW_WIDTH > r.remaining) throw new DecodeError(`IMU block claims ${count} samples in ${r.remaining} bytes`);
  const out = new Float64Array(count * IMU_ROW_WIDTH);
  const t = new Dod();
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  for (let o = 0; o < out.length; o += IMU_ROW_WIDTH) {
    out[o] = base + t.decode(r) / TICKS_PER_MS;
    out[o + 1] = (a0 += r.svar()) / 100;
    out[o + 2] = (a1 += r.svar()) / 100;
    out[o + 3] = (a2 += r.svar()) / 100;
    out[o + 4] = (g0 += r.svar()) / 100;
    out[o + 5] = (g1 += r.svar()) / 100;
    out[o + 6] = (g2 += r.svar()) / 100;
  }
  return out;
}

export function decodeImu(bytes: Uint8Array): SessionImuSample[] {
  const rows = decodeImuRows(bytes);
  const out: SessionImuSample[] = [];
  for (let o = 0; o < rows.length; o += IMU_ROW_WIDTH) {
    out.push({ t: rows[o]!, accelMps2: [rows[o + 1]!, rows[o + 2]!, rows[o + 3]!], gyroDps: [rows[o + 4]!, rows[o + 5]!, rows[o + 6]!] });
  }
  return out;
}
