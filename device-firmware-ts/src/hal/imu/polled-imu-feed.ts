/**
 * A real IMU as the data path's feed: the LSM6DSOX batches every sample into its FIFO, and a
 * timer drains the FIFO (every sample it holds, so a timer that runs late loses nothing until
 * the FIFO's 2.5 s are full). Each sample's host time comes from the output data rate
 * (fifo-sample-clock.ts), its receiver time from the fixes (the offset of the quickest recent
 * one, receiver-clock.ts); it is handed over with the next fix. An overrun is a gap: logged
 * with the number of samples lost and counted in `losses()`. Samples drained before the first
 * fix have no receiver time and are dropped.
 */
import type { SessionImuSample } from '@pitwall/protocol';
import type { Logger } from '../../ops/logger.js';
import type { I2cBus } from '../i2c-bus.js';
import type { ImuFeed, ImuInfo, ImuLosses, TrajectoryPoint } from './imu-feed.js';
import { Lsm6dsox } from './lsm6dsox.js';
import { FifoSampleClock } from './fifo-sample-clock.js';
import { ReceiverClock } from './receiver-clock.js';
import { chipOdrFor, IMU_ACCEL_RANGE_G, IMU_CHIP, IMU_GYRO_RANGE_DPS } from './imu-settings.js';

/** Samples kept waiting for a fix; at 104 Hz, nearly 10 s of a receiver that went quiet. */
const MAX_PENDING = 1000;
/** FIFO_WTM_IA at 100 ms of samples (two words each); the poller does not wait for it. */
const WATERMARK_S = 0.1;
/** A bus failing on and off is logged once this often at most. */
const WARN_EVERY_MS = 10_000;

export interface PolledImuOptions {
  /** The rate asked for (the unit's `imu.rateHz`); the chip runs at its output data rate at or above it. */
  rateHz: number;
  address?: number;
  /** Opens the bus on init (the real one, or a fake with the same interface). */
  openBus: () => Promise<I2cBus & { close(): Promise<void> }>;
  log: Logger;
  now?: () => number;
  /** Drain period, ms (default one sample period of the configured rate). */
  pollMs?: number;
}

export class PolledImuFeed implements ImuFeed {
  readonly info: ImuInfo;
  private bus: (I2cBus & { close(): Promise<void> }) | null = null;
  private driver: Lsm6dsox | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly receiver = new ReceiverClock();
  private pending: SessionImuSample[] = [];
  private reading = false;
  /** Failed drains not yet logged, and when the last was. */
  private failures = 0;
  private warnedAt = -Infinity;
  private clock: FifoSampleClock | null = null;
  /** The last drain failed or emptied the FIFO: the next one counts the samples missing. */
  private broken = false;
  /** TAG_CNT of the last sample drained. */
  private lastSlot: number | null = null;
  private readonly lost: ImuLosses = { gaps: 0, lostSamples: 0 };
  private readonly now: () => number;

  constructor(private readonly o: PolledImuOptions) {
    // What a session header records: the rate the chip is set to, which the samples are spaced at.
    this.info = { chip: IMU_CHIP, rateHz: chipOdrFor(o.rateHz), accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS };
    this.now = o.now ?? (() => performance.now());
  }

  async init(): Promise<void> {
    this.bus = await this.o.openBus();
    const driver = new Lsm6dsox(this.bus, { address: this.o.address, odrHz: this.info.rateHz, accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS });
    await driver.init();
    await driver.enableFifo(Math.min(511, Math.round(driver.odrHz * WATERMARK_S) * 2));
    this.driver = driver;
    this.clock = new FifoSampleClock(1000 / driver.odrHz);
    this.timer = setInterval(() => void this.drain(), this.o.pollMs ?? 1000 / driver.odrHz);
    this.timer.unref();
  }

  losses(): ImuLosses {
    return { ...this.lost };
  }

  /** Reads every complete sample the FIFO holds (the timer calls it; a read in progress makes it a no-op). */
  async drain(): Promise<void> {
    if (this.reading || !this.driver || !this.clock) return;
    this.reading = true;
    try {
      const read = await this.driver.readFifo(this.now);
      const first = read.slots[0];
      const skipped = first === undefined || this.lastSlot === null ? null : (first - this.lastSlot + 3) & 3;
      const placed = this.clock.place(read.samples.length, read.asked, read.at, this.broken || read.overrun || read.orphans > 0, skipped);
      if (read.samples.length > 0) {
        this.broken = false;
        this.lastSlot = read.slots.at(-1)!;
      }
      if (placed.lost > 0) {
        this.lost.gaps++;
        this.lost.lostSamples += placed.lost;
        this.o.log.warn(`imu FIFO overrun: ${placed.lost} samples lost (${Math.round(placed.lost * this.clock.periodMs)} ms; the reader was late)`);
      }
      read.samples.forEach((s, i) => this.take(placed.times[i]!, s.accelMps2, s.gyroDps));
    } catch (err) {
      this.broken = true;
      // Not one line per poll: the first failure, then a count at most every WARN_EVERY_MS.
      this.failures++;
      const now = this.now();
      if (now - this.warnedAt >= WARN_EVERY_MS) {
        const more = this.failures > 1 ? ` (${this.failures} failed reads since the last warning)` : '';
        this.o.log.warn(`imu read failed: ${(err as Error).message}${more}`);
        this.warnedAt = now;
        this.failures = 0;
      }
    } finally {
      this.reading = false;
    }
  }

  private take(hostT: number, accelMps2: SessionImuSample['accelMps2'], gyroDps: SessionImuSample['gyroDps']): void {
    const t = this.receiver.stamp(hostT);
    if (t === null || this.pending.length >= MAX_PENDING) return;
    this.pending.push({ t, accelMps2, gyroDps });
  }

  async push(point: TrajectoryPoint, onSample: (s: SessionImuSample) => void): Promise<void> {
    let i = 0;
    for (; i < this.pending.length && this.pending[i]!.t <= point.t; i++) onSample(this.pending[i]!);
    this.pending = this.pending.slice(i);
    this.receiver.fix(point.t, this.now());
  }

  async idle(): Promise<void> {}

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.driver?.powerDown().catch(() => {});
    await this.bus?.close();
  }
}
