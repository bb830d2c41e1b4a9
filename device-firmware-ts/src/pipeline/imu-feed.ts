/**
 * Samples the IMU at its full rate through the LSM6DSOX driver. In the sim the chip is the
 * register model, fed with motion derived from the fixes as they arrive (the replayed
 * trajectory): each fix advances chip time to the fix's receiver time one sample period at a
 * time, and every latched sample is read through the driver and stamped with its chip time.
 */
import { ODR_HZ } from '../hal/imu/lsm6dsox-registers.js';
import { Lsm6dsox } from '../hal/imu/lsm6dsox.js';
import { Lsm6dsoxChip, type Motion } from '../hal/sim/lsm6dsox-chip.js';
import { deriveMotion, type TrajectoryPoint } from '../hal/sim/sim-imu.js';
import { STANDARD_GRAVITY } from '../hal/imu/lsm6dsox-registers.js';
import type { SessionImuSample } from '@pitwall/protocol';

const WINDOW = 8;
/** A gap longer than this (a reboot, a replay wrap) is not filled with samples. */
const MAX_GAP_MS = 2000;
const AT_REST: Motion = { accelMps2: [0, 0, STANDARD_GRAVITY], gyroDps: [0, 0, 0] };

export const IMU_CHIP = 'LSM6DSOX';
export const IMU_ACCEL_RANGE_G = 8;
export const IMU_GYRO_RANGE_DPS = 1000;

/** The chip's output data rate at or above `hz` (the driver only sets rates the chip has). */
export function chipOdrFor(hz: number): number {
  const rates = Object.values(ODR_HZ).sort((a, b) => a - b);
  return rates.find((r) => r >= hz) ?? rates[rates.length - 1]!;
}

export class SimImuFeed {
  readonly rateHz: number;
  private readonly chip: Lsm6dsoxChip;
  private readonly driver: Lsm6dsox;
  private readonly periodMs: number;
  private points: TrajectoryPoint[] = [];
  private derived: ReturnType<typeof deriveMotion> = [];
  private nextT: number | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(rateHz = 100) {
    this.rateHz = rateHz;
    this.periodMs = 1000 / rateHz;
    this.chip = new Lsm6dsoxChip((t) => this.motionAt(t), { sampleRateHz: rateHz });
    this.driver = new Lsm6dsox(this.chip, { odrHz: chipOdrFor(rateHz), accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS, sleep: async () => {} });
  }

  init(): Promise<void> {
    return this.driver.init();
  }

  /** Adds a fix to the trajectory and samples up to its time; samples go to `onSample` in order. */
  push(point: TrajectoryPoint, onSample: (s: SessionImuSample) => void): Promise<void> {
    const last = this.points.at(-1);
    if (last && !(point.t > last.t)) return this.chain;
    if (last && point.t - last.t > MAX_GAP_MS) {
      this.points = [];
      this.nextT = null;
    }
    this.points.push(point);
    if (this.points.length > WINDOW) this.points.shift();
    this.derived = this.points.length >= 2 ? deriveMotion(this.points) : [];
    const until = point.t;
    this.chain = this.chain.then(() => this.sampleUntil(until, onSample)).catch(() => {});
    return this.chain;
  }

  /** Resolves when every sample up to the last fix has been read. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async sampleUntil(until: number, onSample: (s: SessionImuSample) => void): Promise<void> {
    this.nextT ??= until;
    while (this.nextT <= until) {
      const t = this.nextT;
      this.chip.advance(t);
      const s = await this.driver.read();
      if (s) onSample({ t, accelMps2: s.accelMps2, gyroDps: s.gyroDps });
      this.nextT += this.periodMs;
    }
  }

  private motionAt(t: number): Motion {
    const d = this.derived;
    if (d.length === 0) return AT_REST;
    let i = 0;
    while (i < d.length - 2 && d[i + 1]!.t <= t) i++;
    const a = d[i]!;
    const b = d[Math.min(i + 1, d.length - 1)]!;
    const f = b.t > a.t ? Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t))) : 0;
    const lerp = (x: number, y: number) => x + (y - x) * f;
    const yawDps = lerp(a.yawDps, b.yawDps);
    const lateral = lerp(a.speedMps, b.speedMps) * yawDps * (Math.PI / 180);
    return { accelMps2: [lerp(a.longMps2, b.longMps2), lateral, STANDARD_GRAVITY], gyroDps: [0, 0, yawDps] };
  }
}
