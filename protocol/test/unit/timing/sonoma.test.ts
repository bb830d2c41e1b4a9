import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeLaps } from '../../../src/timing/index.js';
import { catalog } from '../../helpers/catalog-file.js';
import { raceCaptureFixes } from '../../helpers/racecapture-fixes.js';
import { readTestData } from '../../helpers/test-data.js';

const LOGGED_S = [128.1, 126.3, 127.8, 126.4, 127.9, 130.6, 126.8];

describe('Sonoma Raceway (RaceCapture/Pro log, GPS 10 Hz)', () => {
  const log = raceCaptureFixes(readTestData('laps', 'racecapture_sonoma', 'sonoma.log'));
  const tracks = catalog();

  it('reads the logged laps (LapTime is in minutes)', () => {
    assert.deepEqual(log.loggedLapsMs.map((ms) => Math.round(ms / 100) / 10), LOGGED_S);
  });

  it('times every lap within 50 ms of the logged laps, with the catalog Sonoma Race line', () => {
    const race = tracks.find((t) => t.id === 'sonoma-raceway-sonoma-race')!;
    const { laps } = timeLaps(log.fixes, race);
    assert.equal(laps.length, LOGGED_S.length);
    laps.forEach((lap, i) => {
      const errorMs = lap.timeMs - LOGGED_S[i]! * 1000;
      assert.ok(Math.abs(errorMs) <= 50, `lap ${i + 1}: ${lap.timeMs.toFixed(0)} ms, error ${errorMs.toFixed(0)} ms`);
    });
  });
});
