import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSession, parseTrackCatalog, sessionLaps, type LiveLap, type LiveTiming } from '@pitwall/protocol';
import { NmeaDecoder, type GnssFix } from '../../../src/pipeline/nmea-decoder.js';
import { DataPath } from '../../../src/pipeline/data-path.js';
import { SimImuFeed } from '../../../src/hal/sim/sim-imu-feed.js';
import { SessionRecorder } from '../../../src/pipeline/session-recorder.js';
import { SessionStore } from '../../../src/pipeline/session-store.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { recordingsDir, repoRoot, tempDir } from '../../helpers/paths.js';

async function fixesOf(name: string): Promise<GnssFix[]> {
  const decoder = new NmeaDecoder();
  const out: GnssFix[] = [];
  for (const line of (await readFile(join(recordingsDir, name), 'latin1')).split('\n')) out.push(...decoder.push(line));
  return out;
}

test('Sonoma layouts near one line: the driven path decides Sonoma Race; live laps name their layout; the file records the decision; IMU at full rate', async () => {
  const { tracks } = parseTrackCatalog(JSON.parse(await readFile(join(repoRoot, 'resources', 'tracks', 'catalog.json'), 'utf8')));
  const dir = await tempDir('data-path');
  const store = await SessionStore.open(dir.dir, () => null, silentLogger);
  const recorder = new SessionRecorder(store, { auto: true, startKmh: 15, startS: 3, stopS: 30, unitId: 'u1', firmwareVersion: '0', imu: null, trackName: () => null }, silentLogger);
  const imu = new SimImuFeed(100);
  const path = new DataPath({ tracks, recorder, store, imu, startKmh: 15, log: silentLogger });
  const laps: LiveLap[] = [];
  const timing: LiveTiming[] = [];
  path.on('lap', (l) => laps.push(l));
  path.on('timing', (t) => timing.push(t));
  try {
    await path.boot();
    const fixes = await fixesOf('synthetic-sonoma-raceway.nmea');
    for (const f of fixes) {
      path.onFix(f);
      await imu.idle();
      await recorder.idle();
    }
    const race = 'sonoma-raceway-sonoma-race';
    assert.equal(path.trackId, race);
    const onRace = laps.filter((l) => l.trackId === race);
    assert.ok(onRace.length >= 2, `${onRace.length} laps`);
    assert.deepEqual(onRace.map((l) => l.lap), onRace.map((_, i) => i + 1), 'the laps on the layout decided, numbered from 1');
    assert.equal(laps.at(-1)!.trackId, race);
    assert.ok(timing.length > 0 && timing.at(-1)!.trackId === race);
    const closed = await recorder.stop();
    assert.equal(closed.laps, onRace.length);
    const data = decodeSession(new Uint8Array(await readFile(store.path(closed.id))));
    assert.equal(data.summary?.trackId, race);
    const decisions = data.events.filter((e) => e.type === 'track');
    assert.equal(decisions.at(-1)?.trackId, race, 'the file records the decision');
    assert.equal(decisions.at(-1)?.reason, 'lap');
    assert.deepEqual(sessionLaps(data.events).map((l) => l.timeMs), onRace.map((l) => l.timeMs), "the file's laps are the decided layout's");
    const spanS = (data.fixes.at(-1)!.t - data.fixes[0]!.t) / 1000;
    const rate = data.imu.length / spanS;
    assert.ok(rate > 98 && rate < 102, `IMU ${rate.toFixed(1)} Hz`);
    assert.ok(data.imu.some((s) => Math.abs(s.accelMps2[1]) > 5), 'lateral acceleration in the corners');
  } finally {
    await recorder.shutdown();
    await dir.cleanup();
  }
});
