/**
 * Drives from before this boot (a simulated unit's earlier track days) recorded through the
 * unit's own data path: NMEA decoder, track picker, lap timer, session recorder and IMU, one
 * fresh data path per drive, so each is picked and timed as it was on its day. Fed as fast as
 * the recorder takes it: each fix waits for what it set going (a session start or stop, the
 * IMU samples up to it), and the recorder keeps receiver time, so the files are those of a
 * drive at the recorded pace. Only for a unit that has no session yet.
 */
import { EventEmitter } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NmeaDecoder, type GnssFix } from './nmea-decoder.js';
import { startDataPath, type SessionPolicy } from './start-data-path.js';
import type { GnssReaderEvents } from './gnss-reader.js';
import type { ImuFeed } from '../hal/imu/imu-feed.js';
import type { Logger } from '../ops/logger.js';

export interface EarlierDrivesOptions {
  /** The receiver's output of each drive, oldest first (asked for only when needed). */
  drives: () => Promise<string[][]>;
  dataDir: string;
  unitId: string;
  firmwareVersion: string;
  /** A fresh IMU feed for each drive (null: no IMU). */
  imu: () => ImuFeed | null;
  policy: SessionPolicy;
  log: Logger;
}

/** Records the drives if the unit has no session yet; returns how many sessions they closed. */
export async function recordEarlierDrives(o: EarlierDrivesOptions): Promise<number> {
  const existing = await readdir(join(o.dataDir, 'sessions')).catch(() => [] as string[]);
  if (existing.some((f) => f.endsWith('.pws'))) return 0;
  const drives = await o.drives();
  let closed = 0;
  for (const lines of drives) closed += await recordDrive(o, lines);
  if (drives.length > 0) o.log.info(`${closed} session(s) recorded from ${drives.length} earlier drive(s)`);
  return closed;
}

async function recordDrive(o: EarlierDrivesOptions, lines: string[]): Promise<number> {
  const gnss = new EventEmitter<GnssReaderEvents>();
  const imu = o.imu();
  const dataPath = await startDataPath({ dataDir: o.dataDir, unitId: o.unitId, firmwareVersion: o.firmwareVersion, reader: gnss, imu, policy: o.policy, log: o.log });
  const { recorder, store } = dataPath.sessions;
  const before = new Set(store.list().map((m) => m.id));
  const feed = async (fixes: GnssFix[]) => {
    for (const fix of fixes) {
      gnss.emit('fix', fix);
      await recorder.idle();
      await imu?.idle();
      // Lets the writes and timers of the data path run, as they would between fixes.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  try {
    const decoder = new NmeaDecoder();
    for (const line of lines) await feed(decoder.push(line));
    await feed(decoder.flush());
    await recorder.idle();
  } finally {
    await dataPath.stop();
  }
  return store.list().filter((m) => !before.has(m.id) && m.state === 'closed').length;
}
