/**
 * The simulated IMU: derives longitudinal acceleration, lateral acceleration and yaw rate from
 * a replayed trajectory (the fixes of a recording) and feeds them into the LSM6DSOX register
 * model, so the real driver reads them over the (simulated) I2C bus. Body frame x forward,
 * y left, z up; a level mount, so z reads +1 g.
 */
import { bearingDeg, haversineM } from '@pitwall/protocol';
import type { TrajectoryPoint } from '../imu/imu-feed.js';
import { STANDARD_GRAVITY } from '../imu/lsm6dsox-registers.js';
import { Lsm6dsoxChip, type Motion } from './lsm6dsox-chip.js';

export type { TrajectoryPoint };

export interface SimImuOptions {
  /** Samples per second the simulated chip latches. Default 100. */
  rateHz?: number;
}

export interface Derived {
  t: number;
  longMps2: number;
  yawDps: number;
  speedMps: number;
}

/** Signed smallest difference b - a of two headings, degrees in (-180, 180]. */
function headingDelta(a: number, b: number): number {
  const d = (((b - a) % 360) + 540) % 360 - 180;
  return d === -180 ? 180 : d;
}

/** Per-fix speed, longitudinal acceleration and yaw rate by central differences. */
export function deriveMotion(points: readonly TrajectoryPoint[]): Derived[] {
  const n = points.length;
  const speed: number[] = [];
  const heading: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const a = points[Math.max(0, i - 1)]!;
    const b = points[Math.min(n - 1, i + 1)]!;
    const dt = (b.t - a.t) / 1000;
    speed.push(p.speedMps ?? (dt > 0 ? haversineM(a, b) / dt : 0));
    heading.push(p.courseDeg ?? (a !== b ? bearingDeg(a, b) : (heading[i - 1] ?? 0)));
  }
  return points.map((p, i) => {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    const dt = (points[b]!.t - points[a]!.t) / 1000;
    if (!(dt > 0)) return { t: p.t, longMps2: 0, yawDps: 0, speedMps: speed[i]! };
    // NMEA course is clockwise from north; yaw about an up axis is counter-clockwise.
    return { t: p.t, longMps2: (speed[b]! - speed[a]!) / dt, yawDps: -headingDelta(heading[a]!, heading[b]!) / dt, speedMps: speed[i]! };
  });
}

export class SimImu {
  readonly chip: Lsm6dsoxChip;
  private readonly derived: Derived[];
  private cursor = 0;

  constructor(points: readonly TrajectoryPoint[], opts: SimImuOptions = {}) {
    if (points.length < 2) throw new Error('sim IMU needs a trajectory of at least two fixes');
    this.derived = deriveMotion(points);
    this.chip = new Lsm6dsoxChip((t) => this.motionAt(t), { sampleRateHz: opts.rateHz ?? 100 });
  }

  get startMs(): number {
    return this.derived[0]!.t;
  }

  get endMs(): number {
    return this.derived[this.derived.length - 1]!.t;
  }

  /** Motion at trajectory time t (ms), interpolated between fixes. */
  motionAt(t: number): Motion {
    const d = this.derived;
    if (t < d[this.cursor]!.t) this.cursor = 0;
    while (this.cursor < d.length - 2 && d[this.cursor + 1]!.t <= t) this.cursor++;
    return motionBetween(d, this.cursor, t);
  }

  /** Advances the chip to trajectory time t (ms). */
  advance(t: number): void {
    this.chip.advance(t);
  }
}

/** Motion at time t between derived points i and i+1; lateral = v * yaw rate. */
export function motionBetween(d: readonly Derived[], i: number, t: number): Motion {
  const a = d[i]!;
  const b = d[Math.min(i + 1, d.length - 1)]!;
  const f = b.t > a.t ? Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t))) : 0;
  const lerp = (x: number, y: number) => x + (y - x) * f;
  const yawDps = lerp(a.yawDps, b.yawDps);
  const lateral = lerp(a.speedMps, b.speedMps) * yawDps * (Math.PI / 180);
  return { accelMps2: [lerp(a.longMps2, b.longMps2), lateral, STANDARD_GRAVITY], gyroDps: [0, 0, yawDps] };
}
