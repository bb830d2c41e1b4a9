import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineHeadingDeg, orientLine, timeLaps } from '../../../src/timing/index.js';
import { aimLaps, padLap } from '../../helpers/aim-laps.js';
import { catalog } from '../../helpers/catalog-file.js';
import { readTestData } from '../../helpers/test-data.js';

const REFERENCE_MS = [138_948, 141_620, 142_156];
const laps = aimLaps(readTestData('laps', 'korellas_everland_aim_solo', 'everland_3laps_aim_solo.csv'));
const everland = catalog().find((t) => t.id === 'amg-everland-speedway-everland')!;

describe('Everland (AiM Solo, 10 Hz)', () => {
  it('the catalog line (the data README line where the track meets it, squared to the straight): within 10 ms', () => {
    laps.forEach((fixes, i) => {
      const { laps: timed } = timeLaps(padLap(fixes), everland);
      assert.equal(timed.length, 1, `lap ${i + 1} timed once`);
      const errorMs = timed[0]!.timeMs - REFERENCE_MS[i]!;
      assert.ok(Math.abs(errorMs) <= 10, `lap ${i + 1}: error ${errorMs.toFixed(1)} ms`);
      assert.equal(timed[0]!.sectorsMs.length, 3);
      assert.ok(Math.abs(timed[0]!.sectorsMs.reduce((a, b) => a + b, 0) - timed[0]!.timeMs) < 1e-6);
    });
  });

  it('the data README line as given: 30 degrees off square, met 1-3 m past its end; within 50 ms', () => {
    const readme = {
      a: { lat: 37.296095751047, lon: 127.206859574185 },
      b: { lat: 37.29615881763, lon: 127.206620991183 },
    };
    const line = orientLine(readme, lineHeadingDeg(everland.startFinish));
    laps.forEach((fixes, i) => {
      assert.equal(timeLaps(padLap(fixes), { startFinish: line }).laps.length, 0, 'the car passes beyond the line end');
      const { laps: timed } = timeLaps(padLap(fixes), { startFinish: line }, { lineMarginM: 5 });
      const errorMs = timed[0]!.timeMs - REFERENCE_MS[i]!;
      // A lateral offset of 1 m moves the crossing 1.7 m along this oblique line.
      assert.ok(Math.abs(errorMs) <= 50, `lap ${i + 1}: error ${errorMs.toFixed(1)} ms`);
    });
  });
});
