/**
 * A real IMU as the data path's feed: the LSM6DSOX driver polled on a timer at the configured
 * rate, each sample stamped in receiver time (the last fix's time plus the monotonic time since
 * it arrived) and handed over with the next fix. Samples before the first fix have no receiver
 * time and are dropped.
 */
import type { SessionImuSample } from '@pitwall/protocol';
import type { Logger } from '../../ops/logger.js';
import type { I2cBus } from '../i2c-bus.js';
import type { ImuFeed, ImuInfo, TrajectoryPoint } from './imu-feed.js';
import { Lsm6dsox } from './lsm6dsox.js';
import { chipOdrFor, IMU_ACCEL_RANGE_G, IMU_CHIP, IMU_GYRO_RANGE_DPS } from './imu-settings.js';

/** Samples kept waiting for a fix; at 100 Hz, 10 s of a receiver that went quiet. */
const MAX_PENDING = 1000;
/** Smallest step between two stamps, ms. */
const STAMP_STEP_MS = 0.001;

export interface PolledImuOptions {
  rateHz: number;
  address?: number;
  /** Opens the bus on init (the real one, or a fake with the same interface). */
  openBus: () => Promise<I2cBus & { close(): Promise<void> }>;
  log: Logger;
  now?: () => number;
}

export class PolledImuFeed implements ImuFeed {
  readonly info: ImuInfo;
  private bus: (I2cBus & { close(): Promise<void> }) | null = null;
  private driver: Lsm6dsox | null = null;
  private timer: NodeJS.Timeout | null = null;
  private base: { fixT: number; at: number } | null = null;
  private pending: SessionImuSample[] = [];
  private reading = false;
  private failures = 0;
  private lastT = -Infinity;
  private readonly now: () => number;

  constructor(private readonly o: PolledImuOptions) {
    this.info = { chip: IMU_CHIP, rateHz: o.rateHz, accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS };
    this.now = o.now ?? (() => performance.now());
  }

  async init(): Promise<void> {
    this.bus = await this.o.openBus();
    this.driver = new Lsm6dsox(this.bus, { address: this.o.address, odrHz: chipOdrFor(this.o.rateHz), accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS });
    await this.driver.init();
    this.timer = setInterval(() => void this.poll(), 1000 / this.o.rateHz);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.reading || !this.driver) return;
    this.reading = true;
    try {
      const s = await this.driver.read();
      this.failures = 0;
      if (s && this.base && this.pending.length < MAX_PENDING) {
        // Fixes arrive with jitter: a sample stamped from an early fix may lie past the next one.
        // Stamps never go back, so the samples stay in order.
        const t = Math.max(this.base.fixT + (this.now() - this.base.at), this.lastT + STAMP_STEP_MS);
        this.lastT = t;
        this.pending.push({ t, accelMps2: s.accelMps2, gyroDps: s.gyroDps });
      }
    } catch (err) {
      // Log the first failure of a run, not one per poll.
      if (this.failures++ === 0) this.o.log.warn(`imu read failed: ${(err as Error).message}`);
    } finally {
      this.reading = false;
    }
  }

  async push(point: TrajectoryPoint, onSample: (s: SessionImuSample) => void): Promise<void> {
    let i = 0;
    for (; i < this.pending.length && this.pending[i]!.t <= point.t; i++) onSample(this.pending[i]!);
    this.pending = this.pending.slice(i);
    this.base = { fixT: point.t, at: this.now() };
  }

  async idle(): Promise<void> {}

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.driver?.powerDown().catch(() => {});
    await this.bus?.close();
  }
}
