import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { timeLaps, type SessionHeader, type TrackDefinition } from '@pitwall/protocol';
import { SessionWriter, syntheticDrive } from '@pitwall/device';

/** The synthetic drive's circuit as a catalog track (start/finish across the first straight, one sector line on the back straight). */
const LAT0 = 28.4127;
const LON0 = -81.3797;
const M_LAT = 111_195;
const M_LON = M_LAT * Math.cos((LAT0 * Math.PI) / 180);
const at = (x: number, y: number) => ({ lat: LAT0 + y / M_LAT, lon: LON0 + x / M_LON });

export const SYNTH_TRACK: TrackDefinition = {
  id: 'synthetic-oval',
  venue: 'Synthetic Oval',
  layout: 'Test',
  startFinish: { a: at(300, 15), b: at(300, -15) },
  sectors: [{ a: at(300, 105), b: at(300, 135) }],
  lengthM: 1577,
  origin: { source: 'synthetic-drive', licence: 'MIT', ref: 'device-firmware-ts sim circuit' },
};

export interface MadeSession {
  path: string;
  sessionId: string;
  sha256: string;
  sizeB: number;
  unitLapsMs: number[];
}

/** Writes a closed session file of a synthetic drive (with the unit's lap events) into `dir`. */
export async function makeSession(dir: string, o: { unitId: string; sessionId: string; durationS: number; seed?: number; startMs?: number; driver?: string; pace?: number }): Promise<MadeSession> {
  const drive = syntheticDrive({ durationS: o.durationS, seed: o.seed ?? 1, startMs: o.startMs });
  if (o.pace && o.pace !== 1) {
    // A slower (pace > 1) or faster driver: the same path, stretched in time, with a wobble so laps differ.
    const t0 = drive.fixes[0]!.t;
    const k = o.pace;
    const warp = (t: number) => t0 + (t - t0) * k + 400 * Math.sin((t - t0) / 9000);
    for (const f of drive.fixes) {
      f.t = warp(f.t);
      if (f.speedMps !== null) f.speedMps /= k;
    }
    for (const s of drive.imu) s.t = warp(s.t);
  }
  const header: SessionHeader = {
    format: 'pitwall-session',
    version: 1,
    sessionId: o.sessionId,
    unitId: o.unitId,
    firmwareVersion: '0.1.0',
    startedAt: new Date(drive.fixes[0]!.t).toISOString(),
    trackId: SYNTH_TRACK.id,
    driver: o.driver ?? null,
    gnssRateHz: 25,
    imu: { chip: 'LSM6DSOX', rateHz: 100, accelRangeG: 4, gyroRangeDps: 500 },
  };
  const path = join(dir, `${o.sessionId}.pws`);
  const w = await SessionWriter.create(path, header, { timer: false, sync: false });
  const timed = timeLaps(drive.fixes.map((f) => ({ t: f.t, lat: f.lat!, lon: f.lon! })), SYNTH_TRACK);
  let imuAt = 0;
  const laps = [...timed.laps];
  for (const f of drive.fixes) {
    w.addFix(f);
    while (imuAt < drive.imu.length && drive.imu[imuAt]!.t <= f.t) w.addImu(drive.imu[imuAt++]!);
    while (laps.length && laps[0]!.endT <= f.t) {
      const l = laps.shift()!;
      w.addEvent({ type: 'lap', lap: l.number, t: l.endT, timeMs: l.timeMs, sectorsMs: l.sectorsMs, distanceM: l.distanceM, best: false });
    }
  }
  await w.close({ endedAt: new Date(drive.fixes.at(-1)!.t).toISOString(), laps: timed.laps.length, bestLapMs: timed.bestIndex >= 0 ? timed.laps[timed.bestIndex]!.timeMs : null });
  const bytes = readFileSync(path);
  return { path, sessionId: o.sessionId, sha256: createHash('sha256').update(bytes).digest('hex'), sizeB: bytes.length, unitLapsMs: timed.laps.map((l) => l.timeMs) };
}
