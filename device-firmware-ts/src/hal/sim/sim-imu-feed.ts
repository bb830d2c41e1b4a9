/**
 * The simulated IMU as a feed: the LSM6DSOX register model, fed with motion derived from the
 * fixes as they arrive (the replayed trajectory), read through the real driver. Each fix
 * advances chip time to the fix's receiver time one sample period at a time, and every latched
 * sample is read through the driver and stamped with its chip time.
 */
import { STANDARD_GRAVITY } from '../imu/lsm6dsox-registers.js';
import { chipOdrFor, IMU_ACCEL_RANGE_G, IMU_CHIP, IMU_GYRO_RANGE_DPS } from '../imu/imu-settings.js';
import { Lsm6dsox } from '../imu/lsm6dsox.js';
import type { ImuFeed, ImuInfo, TrajectoryPoint } from '../imu/imu-feed.js';
import { Lsm6dsoxChip, type Motion } from './lsm6dsox-chip.js';
import { deriveMotion, motionBetween } from './sim-imu.js';
import type { SessionImuSample } from '@pitwall/protocol';

const WINDOW = 8;
/** A gap longer than this (a reboot, a replay wrap) is not filled with samples. */
const MAX_GAP_MS = 2000;
const AT_REST: Motion = { accelMps2: [0, 0, STANDARD_GRAVITY], gyroDps: [0, 0, 0] };

export { chipOdrFor } from '../imu/imu-settings.js';

export class SimImuFeed implements ImuFeed {
  readonly info: ImuInfo;
  private readonly chip: Lsm6dsoxChip;
  private readonly driver: Lsm6dsox;
  private readonly periodMs: number;
  private points: TrajectoryPoint[] = [];
  private derived: ReturnType<typeof deriveMotion> = [];
  private nextT: number | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(rateHz: number) {
    this.info = { chip: IMU_CHIP, rateHz, accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS };
    this.periodMs = 1000 / rateHz;
    this.chip = new Lsm6dsoxChip((t) => this.motionAt(t), { sampleRateHz: rateHz });
    this.driver = new Lsm6dsox(this.chip, { odrHz: chipOdrFor(rateHz), accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS, sleep: async () => {} });
  }

  init(): Promise<void> {
    return this.driver.init();
  }

  push(point: TrajectoryPoint, onSample: (s: SessionImuSample) => void): Promise<void> {
    const last = this.points.at(-1);
    if (last && !(point.t > last.t)) return this.chain;
    const gap = last !== undefined && point.t - last.t > MAX_GAP_MS;
    if (gap) this.points = [];
    this.points.push(point);
    if (this.points.length > WINDOW) this.points.shift();
    this.derived = this.points.length >= 2 ? deriveMotion(this.points) : [];
    const until = point.t;
    // The sample clock restarts in turn, after the run in progress: reset beside a running loop,
    // it would count up from zero towards an epoch time and never end.
    this.chain = this.chain
      .then(() => {
        if (gap) this.nextT = null;
        return this.sampleUntil(until, onSample);
      })
      .catch(() => {});
    return this.chain;
  }

  idle(): Promise<void> {
    return this.chain;
  }

  private async sampleUntil(until: number, onSample: (s: SessionImuSample) => void): Promise<void> {
    let t = this.nextT ?? until;
    while (t <= until) {
      this.chip.advance(t);
      const s = await this.driver.read();
      if (s) onSample({ t, accelMps2: s.accelMps2, gyroDps: s.gyroDps });
      t += this.periodMs;
      this.nextT = t;
    }
  }

  private motionAt(t: number): Motion {
    const d = this.derived;
    if (d.length === 0) return AT_REST;
    let i = 0;
    while (i < d.length - 2 && d[i + 1]!.t <= t) i++;
    return motionBetween(d, i, t);
  }
}
