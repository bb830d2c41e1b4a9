// Sessions of a track day, recorded into a unit's data directory the way the unit records them:
// the unit's own SessionRecorder and session store (chunked writes with fsync, summary,
// sha256 sidecar), fed a seeded synthetic drive. Run with the unit stopped; the unit lists
// them when it boots.
//   node --import tsx bench/trackday-seed.ts <dataDir> <unitId> <sessions> <durationS> <seed>
import { syntheticDrive } from '@pitwall/device';
import type { SessionMeta } from '@pitwall/protocol';
// Not part of the device package's API: the bench drives the unit's own recorder directly.
import { SessionRecorder } from '../device-firmware-ts/src/pipeline/session-recorder.js';
import { SessionStore } from '../device-firmware-ts/src/pipeline/session-store.js';
import { silentLogger } from '../device-firmware-ts/src/ops/logger.js';

const GAP_MS = 15 * 60_000; // in the paddock between sessions

export async function seedTrackDay(dataDir: string, unitId: string, sessions: number, durationS: number, seed: number): Promise<SessionMeta[]> {
  const store = await SessionStore.open(dataDir, () => null, silentLogger);
  const recorder = new SessionRecorder(
    store,
    {
      auto: false,
      startKmh: 15,
      startS: 3,
      stopS: 30,
      unitId,
      firmwareVersion: '0.1.0',
      imu: { chip: 'LSM6DSOX', rateHz: 100, accelRangeG: 4, gyroRangeDps: 500 },
      trackName: () => null,
    },
    silentLogger,
  );
  const closed: SessionMeta[] = [];
  let startMs = Date.UTC(2026, 5, 13, 9, 0, 0);
  for (let i = 0; i < sessions; i++) {
    const drive = syntheticDrive({ durationS, seed: seed * 100 + i, startMs });
    recorder.addFix(drive.fixes[0]!, null);
    await recorder.start(true, null);
    let imuAt = 0;
    for (const f of drive.fixes.slice(1)) {
      while (imuAt < drive.imu.length && drive.imu[imuAt]!.t <= f.t) recorder.addImu(drive.imu[imuAt++]!);
      recorder.addFix(f, null);
    }
    closed.push(await recorder.stop(true));
    startMs = drive.fixes.at(-1)!.t + GAP_MS;
  }
  await recorder.shutdown();
  return closed;
}

if (process.argv[1]?.endsWith('trackday-seed.ts')) {
  const [dataDir, unitId, n, durationS, seed] = process.argv.slice(2);
  const metas = await seedTrackDay(dataDir!, unitId!, Number(n), Number(durationS), Number(seed));
  process.stdout.write(`${JSON.stringify(metas.map((m) => ({ id: m.id, sha256: m.sha256, sizeB: m.sizeB })))}\n`);
}
