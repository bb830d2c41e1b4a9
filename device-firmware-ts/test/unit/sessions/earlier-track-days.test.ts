import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSession, sessionLaps, timeLaps } from '@pitwall/protocol';
import { UNIT_CONFIG_DEFAULTS } from '@pitwall/protocol';
import { earlierTrackDays } from '../../../src/hal/sim/earlier-track-days.js';
import { SimImuFeed } from '../../../src/hal/sim/sim-imu-feed.js';
import { recordEarlierDrives } from '../../../src/pipeline/earlier-drives.js';
import { SessionStore } from '../../../src/pipeline/session-store.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { catalog as catalogTracks } from '../../../../protocol/test/helpers/catalog-file.js';
import { everlandRecording, recordingsDir, tempDir } from '../../helpers/paths.js';

const DEFAULT_SESSION_POLICY = UNIT_CONFIG_DEFAULTS.sessions;
// The AiM Solo's own time of the one whole lap the recording's fixes hold between two crossings.
const EVERLAND_LAP_MS = 141_620;

test('earlier track days: closed sessions recorded by the unit\'s own data path, a week apart before the replayed day, once', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await tempDir('track-days');
  try {
    let asked = 0;
    const drives = () => {
      asked++;
      return earlierTrackDays({ days: 2, replayed: everlandRecording, recordingsDir, parkedS: DEFAULT_SESSION_POLICY.stopS + 10 });
    };
    const opts = { drives, dataDir: dir, unitId: 'unit-1', firmwareVersion: '0.1.0', imu: () => new SimImuFeed(100), policy: DEFAULT_SESSION_POLICY, log: silentLogger };
    assert.equal(await recordEarlierDrives(opts), 2);
    const store = await SessionStore.open(dir, () => null, silentLogger);
    const metas = store.list();
    assert.deepEqual(metas.map((m) => m.state), ['closed', 'closed']);
    // The replay runs on 2024-05-18: the latest earlier day a week before at its venue, the one
    // before two weeks before at the next shipped recording's venue (Orlando).
    assert.deepEqual(metas.map((m) => m.start.slice(0, 10)), ['2024-05-04', '2024-05-11']);
    assert.deepEqual(metas.map((m) => m.track?.id), ['orlando-kart-center-orlando-k-fl', 'amg-everland-speedway-everland']);
    for (const m of metas) assert.ok(m.sha256 && m.laps > 0, `${m.id}: ${m.laps} laps`);

    const tracks = catalogTracks();
    for (const m of metas) {
      const data = decodeSession(new Uint8Array(await readFile(store.path(m.id))));
      assert.ok(data.summary, 'closed by the recorder, with a summary');
      assert.equal(data.header.unitId, 'unit-1');
      assert.ok(data.imu.length > data.fixes.length * 5, 'IMU sampled alongside');
      // It ends parked: the recorder closed it after the car stood still for its stop time.
      const tail = data.fixes.filter((f) => f.t >= data.fixes.at(-1)!.t - DEFAULT_SESSION_POLICY.stopS * 1000);
      assert.ok(tail.every((f) => (f.speedMps ?? 0) * 3.6 < DEFAULT_SESSION_POLICY.startKmh));
      // Every lap its fixes hold is one the unit timed as it drove (the unit may also have
      // timed a first lap whose start crossing came before the session's lead-in).
      const track = tracks.find((t) => t.id === m.track!.id)!;
      const timed = timeLaps(data.fixes.filter((f) => f.lat !== null).map((f) => ({ t: f.t, lat: f.lat!, lon: f.lon! })), track).laps;
      // The laps as the file finally has them: a track decision re-times the laps before it.
      const events = sessionLaps(data.events);
      assert.ok(timed.length > 0 && events.length - timed.length <= 1, `${events.length} lap events, ${timed.length} laps in the fixes`);
      assert.deepEqual(events.slice(-timed.length).map((e) => Math.round(e.timeMs)), timed.map((l) => Math.round(l.timeMs)));
      if (m.track?.id === 'amg-everland-speedway-everland') {
        assert.ok(events.some((e) => Math.abs(e.timeMs - EVERLAND_LAP_MS) < 50), `an Everland lap near ${EVERLAND_LAP_MS} ms: ${events.map((e) => e.timeMs)}`);
      }
    }
    const files = await readdir(join(dir, 'sessions'));
    assert.equal(await recordEarlierDrives(opts), 0, 'a unit that has sessions gets no more');
    assert.equal(asked, 1, 'nor replays its recordings for them');
    assert.deepEqual(await readdir(join(dir, 'sessions')), files);
  } finally {
    await cleanup();
  }
});
