import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { DEFAULT_TRACK_CATALOG, parseTrackCatalog, trackDisplayName, type LiveLap, type LiveTiming, type UnitConfig } from '@pitwall/protocol';
import { DataPath } from './data-path.js';
import { loadOwnTracks } from './own-track-file.js';
import { SessionRecorder } from './session-recorder.js';
import { SessionStore } from './session-store.js';
import type { GnssReaderEvents } from './gnss-reader.js';
import type { ImuFeed } from '../hal/imu/imu-feed.js';
import type { Logger } from '../ops/logger.js';

/** When sessions start and stop (the `sessions` part of the unit configuration). */
export type SessionPolicy = UnitConfig['sessions'];

export interface DataPathOptions {
  dataDir: string;
  unitId: string;
  firmwareVersion: string;
  /** The GNSS reader's `fix` events. */
  reader: EventEmitter<GnssReaderEvents>;
  /** The board's IMU, or null when it has none. */
  imu: ImuFeed | null;
  policy: SessionPolicy;
  trackCatalog?: string;
  log: Logger;
}

/** What the live stream carries from the data path. */
export type LiveEvent = { event: 'timing'; data: LiveTiming } | { event: 'lap'; data: LiveLap };

/** The recorded sessions and the recorder, as the API serves and controls them. */
export interface DataPathSessions {
  store: SessionStore;
  recorder: SessionRecorder;
  trackId: () => string | null;
}

export interface RunningDataPath {
  onLive(listener: (e: LiveEvent) => void): () => void;
  sessions: DataPathSessions;
  stop(): Promise<void>;
}

/** Wires the reader's fixes through the data path; sessions live in DATA_DIR/sessions. */
export async function startDataPath(opts: DataPathOptions): Promise<RunningDataPath> {
  const log = opts.log;
  const catalog = parseTrackCatalog(JSON.parse(await readFile(opts.trackCatalog ?? DEFAULT_TRACK_CATALOG, 'utf8'))).tracks;
  // Own tracks pushed by a companion count from here on: a push while running waits for the next start.
  const own = (await loadOwnTracks(opts.dataDir, log)).filter((t) => !catalog.some((c) => c.id === t.id));
  const tracks = [...catalog, ...own];
  const names = new Map(tracks.map((t) => [t.id, trackDisplayName(t)]));
  const trackNameOf = (id: string) => names.get(id) ?? null;
  const store = await SessionStore.open(opts.dataDir, trackNameOf, log);
  const imu = opts.imu;
  const recorder = new SessionRecorder(
    store,
    {
      ...opts.policy,
      unitId: opts.unitId,
      firmwareVersion: opts.firmwareVersion,
      imu: imu?.info ?? null,
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
  log.info(`${catalog.length} catalog tracks, ${own.length} own; ${imu ? `IMU ${imu.info.chip} at ${imu.info.rateHz} Hz` : 'no IMU'}; sessions ${opts.policy.auto ? `start at ${opts.policy.startKmh} km/h for ${opts.policy.startS} s, end after ${opts.policy.stopS} s stopped` : 'on request only'}`);
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
