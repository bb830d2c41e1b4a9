import type { SessionImuSample } from '@pitwall/protocol';
import type { ImuFeed, ImuLosses } from '../hal/imu/imu-feed.js';

/** Samples older than this (chip time) leave the rate window. */
const WINDOW_MS = 5000;
/** No sample for this long (wall time): the IMU is not delivering, its rate is unknown. */
const STALE_MS = 5000;

/**
 * The IMU's delivered sample rate, measured from the samples themselves: samples in the last
 * few seconds of chip time over the time they span. Dropped or missed reads lower it; an IMU
 * that stops delivering reads as null.
 */
export class ImuRateMeter {
  private readonly times: number[] = [];
  private head = 0;
  private lastWallMs = -Infinity;
  private lossSource: (() => ImuLosses | null) | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  add(sampleT: number): void {
    const last = this.times.at(-1);
    // A jump back (replay wrap, reboot of the source) starts the window again.
    if (last !== undefined && (sampleT < last || sampleT - last > WINDOW_MS)) {
      this.times.length = 0;
      this.head = 0;
    }
    this.times.push(sampleT);
    while (this.times[this.head]! < sampleT - WINDOW_MS) this.head++;
    if (this.head > 4096) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    this.lastWallMs = this.now();
  }

  /** Where `losses()` reads from: the metered feed. */
  lossesFrom(source: () => ImuLosses | null): void {
    this.lossSource = source;
  }

  /** The feed's losses so far, or null when it cannot tell (the sim, no IMU). */
  losses(): ImuLosses | null {
    return this.lossSource?.() ?? null;
  }

  /** Samples per second, or null before two samples or once the IMU went quiet. */
  rateHz(): number | null {
    if (this.now() - this.lastWallMs > STALE_MS) return null;
    const n = this.times.length - this.head;
    if (n < 2) return null;
    const spanMs = this.times.at(-1)! - this.times[this.head]!;
    return spanMs > 0 ? Math.round(((n - 1) * 1000 * 10) / spanMs) / 10 : null;
  }
}

/** The feed, with every delivered sample counted by `meter` (and its losses, if it reports them, readable there). */
export function meteredImuFeed(feed: ImuFeed, meter: ImuRateMeter): ImuFeed {
  const losses = feed.losses && (() => feed.losses!());
  meter.lossesFrom(losses ?? (() => null));
  return {
    info: feed.info,
    ...(losses ? { losses } : {}),
    init: () => feed.init(),
    idle: () => feed.idle(),
    push: (point, onSample) =>
      feed.push(point, (s: SessionImuSample) => {
        meter.add(s.t);
        onSample(s);
      }),
  };
}
