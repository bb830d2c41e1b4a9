import type { LatLon, SessionImuSample } from '@pitwall/protocol';

/** A fix as the IMU feed sees it: the receiver time that sampling catches up to, and the motion. */
export interface TrajectoryPoint extends LatLon {
  /** ms */
  t: number;
  speedMps?: number | null;
  courseDeg?: number | null;
}

/** What a session header records about the IMU. */
export interface ImuInfo {
  chip: string;
  rateHz: number;
  accelRangeG: number;
  gyroRangeDps: number;
}

/** Samples the IMU took but could not deliver (a FIFO that overran), since it started. */
export interface ImuLosses {
  /** Breaks in the samples. */
  gaps: number;
  /** Samples missing in them. */
  lostSamples: number;
}

/**
 * The IMU as the data path sees it: sampled in step with the fixes, each sample stamped with
 * the chip's time. A hardware profile provides one (or none, when the board has no IMU).
 */
export interface ImuFeed {
  readonly info: ImuInfo;
  init(): Promise<void>;
  /** Samples up to the fix's time; samples go to `onSample` in order. */
  push(point: TrajectoryPoint, onSample: (s: SessionImuSample) => void): Promise<void>;
  /** Resolves when every sample up to the last fix has been read. */
  idle(): Promise<void>;
  /** What was lost so far, for a feed that can tell (a FIFO's overruns). */
  losses?(): ImuLosses;
}
