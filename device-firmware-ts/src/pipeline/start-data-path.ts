import { readFile } from 'node:fs/promises';
import { DEFAULT_TRACK_CATALOG, parseTrackCatalog, trackDisplayName, type LiveLap, type LiveTiming } from '@pitwall/protocol';
import { DataPath } from './data-path.js';
import { IMU_ACCEL_RANGE_G, IMU_CHIP, IMU_GYRO_RANGE_DPS, SimImuFeed } from './imu-feed.js';
import { SessionRecorder } from './session-recorder.js';
import { SessionStore } from './session-store.js';
import type { GnssReader } from './gnss-reader.js';
import type { LiveEvent } from '../api/http-server.js';
import type { SessionRoutesDeps } from '../api/session-routes.js';
import type { Logger } from '../ops/logger.js';

export interface SessionPolicy {
  /** Start and stop by motion. */
  auto: boolean;
  /** Moving means at or above this speed. */
  startKmh: number;
  /** Moving this long starts a session. */
  startS: number;
  /** Stopped this long ends it. */
  stopS: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { auto: true, startKmh: 15, startS: 3, stopS: 30 };

export interface DataPathOptions {
  dataDir: string;
  unitId: string;
  firmwareVersion: string;
  reader: GnssReader;
  imuRateHz: number;
  policy: SessionPolicy;
  trackCatalog?: string;
  log: Logger;
}

export interface RunningDataPath {
  onLive(listener: (e: LiveEvent) => void): () => void;
  sessions: Omit<SessionRoutesDeps, 'send'>;
  stop(): Promise<void>;
}

/** Wires the reader's fixes through the data path; sessions live in DATA_DIR/sessions. */
export async function startDataPath(opts: DataPathOptions): Promise<RunningDataPath> {
  const log = opts.log;
  const { tracks } = parseTrackCatalog(JSON.parse(await readFile(opts.trackCatalog ?? DEFAULT_TRACK_CATALOG, 'utf8')));
  const names = new Map(tracks.map((t) => [t.id, trackDisplayName(t)]));
  const trackNameOf = (id: string) => names.get(id) ?? null;
  const store = await SessionStore.open(opts.dataDir, trackNameOf, log);
  const imu = new SimImuFeed(opts.imuRateHz);
  const recorder = new SessionRecorder(
    store,
    {
      ...opts.policy,
      unitId: opts.unitId,
      firmwareVersion: opts.firmwareVersion,
      imu: { chip: IMU_CHIP, rateHz: opts.imuRateHz, accelRangeG: IMU_ACCEL_RANGE_G, gyroRangeDps: IMU_GYRO_RANGE_DPS },
      // Below the writer's default: with fsync latency at a sped-up replay a cut still loses < 1 s.
      flushIntervalMs: 400,
      trackName: trackNameOf,
    },
    log,
  );
  const path = new DataPath({ tracks, recorder, store, imu, startKmh: opts.policy.startKmh, log });
  await path.boot();
  const onFix = path.onFix.bind(path);
  opts.reader.on('fix', onFix);
  log.info(`${tracks.length} tracks; IMU ${IMU_CHIP} at ${opts.imuRateHz} Hz; sessions ${opts.policy.auto ? `start at ${opts.policy.startKmh} km/h for ${opts.policy.startS} s, end after ${opts.policy.stopS} s stopped` : 'on request only'}`);
  return {
    onLive(listener) {
      const timing = (data: LiveTiming) => listener({ event: 'timing', data });
      const lap = (data: LiveLap) => listener({ event: 'lap', data });
      path.on('timing', timing);
      path.on('lap', lap);
      return () => {
        path.off('timing', timing);
        path.off('lap', lap);
      };
    },
    sessions: { store, recorder, trackId: () => path.trackId },
    async stop() {
      opts.reader.off('fix', onFix);
      await recorder.shutdown();
    },
  };
}
