// The track chooser on real logs, from the whole catalog: the layout, every lap against the
// logger's own, at the log's rate and at 5 Hz. Prints the lap errors (worst, median) and how
// many seconds of driving the chooser needed to decide.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TrackChooser, type TimingFix } from '../../../src/timing/index.js';
import { aimLaps, padLap } from '../../helpers/aim-laps.js';
import { catalog } from '../../helpers/catalog-file.js';
import { raceCaptureFixes } from '../../helpers/racecapture-fixes.js';
import { rmcFixes } from '../../helpers/rmc-fixes.js';
import { readTestData } from '../../helpers/test-data.js';

const tracks = catalog();

/** One fix per period: a 5 Hz receiver seeing the same drive. */
function downsample(fixes: readonly TimingFix[], periodMs: number): TimingFix[] {
  const out: TimingFix[] = [];
  let next = -Infinity;
  for (const f of fixes) {
    if (f.t < next) continue;
    out.push(f);
    next = f.t + periodMs - 5; // receivers' stamps jitter by a few ms
  }
  return out;
}

function choose(t: TestContext, what: string, fixes: readonly TimingFix[], trackId: string, referenceMs: readonly number[], toleranceMs: number) {
  const chooser = new TrackChooser(tracks);
  for (const f of fixes) chooser.push(f);
  assert.equal(chooser.track?.id, trackId, what);
  assert.ok(chooser.decided, `${what}: decided by a lap`);
  assert.equal(chooser.laps.length, referenceMs.length, `${what}: every lap`);
  const errors = chooser.laps.map((l, i) => Math.abs(l.timeMs - referenceMs[i]!));
  const sorted = [...errors].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const decidedAfterS = chooser.changes.at(-1)!.drivingS;
  t.diagnostic(`${what}: ${trackId}, ${errors.length} laps, error worst ${sorted.at(-1)!.toFixed(0)} ms, median ${median.toFixed(0)} ms; decided after ${decidedAfterS.toFixed(0)} s of driving`);
  assert.ok(sorted.at(-1)! <= toleranceMs, `${what}: lap errors ${errors.map((e) => e.toFixed(0)).join(', ')} ms`);
}

describe('track chooser on real logs (whole catalog)', () => {
  it('Sonoma (RaceCapture/Pro, GPS 10 Hz, and the same log at 5 Hz): Sonoma Race, every lap within 50 ms (5 Hz: 100 ms) of the logger', (t) => {
    const log = raceCaptureFixes(readTestData('laps', 'racecapture_sonoma', 'sonoma.log'));
    choose(t, 'Sonoma 10 Hz', log.fixes, 'sonoma-raceway-sonoma-race', log.loggedLapsMs, 50);
    choose(t, 'Sonoma 5 Hz', downsample(log.fixes, 200), 'sonoma-raceway-sonoma-race', log.loggedLapsMs, 100);
  });

  it('Orlando Kart Center (NMEA RMC, 16.7-25 Hz, and 5 Hz): the layout driven, every lap within 15 ms', (t) => {
    const runs: [string, string, number[]][] = [
      ['gps_race_data_2laps', 'orlando-kart-center-2-orlando-k2', [69.961, 68.742, 70.148]],
      ['gps_race_data_lap', 'orlando-kart-center-2-orlando-k2', [68.742]],
      ['gps_race_data_long_lap', 'orlando-kart-center-orlando-k-fl', [58.614]],
      ['gps_race_data_praga_laps', 'orlando-kart-center-2-orlando-k2', [62.726, 61.319]],
    ];
    for (const [file, trackId, laps] of runs) {
      const fixes = rmcFixes(readTestData('laps', 'doveslaptimer_orlando_kart_center_nmea', `${file}.nmea`));
      const ms = laps.map((s) => s * 1000);
      choose(t, `Orlando ${file}`, fixes, trackId, ms, 15);
      choose(t, `Orlando ${file} 5 Hz`, downsample(fixes, 200), trackId, ms, 15);
    }
  });

  it('Everland (AiM Solo, 10 Hz, and 5 Hz), one lap at a time: AMG Everland, within 10 ms', (t) => {
    const reference = [138_948, 141_620, 142_156];
    aimLaps(readTestData('laps', 'korellas_everland_aim_solo', 'everland_3laps_aim_solo.csv')).forEach((fixes, i) => {
      choose(t, `Everland lap ${i + 1}`, padLap(fixes), 'amg-everland-speedway-everland', [reference[i]!], 10);
      choose(t, `Everland lap ${i + 1} 5 Hz`, padLap(downsample(fixes, 200)), 'amg-everland-speedway-everland', [reference[i]!], 10);
    });
  });
});
