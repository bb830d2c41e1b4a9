// Checks a track chooser's answer on a synthetic drive against the same drive without noise.
import assert from 'node:assert/strict';
import { OutlineFit, TrackChooser, timeLaps, type TimingFix } from '../../src/timing/index.js';
import type { TrackDefinition } from '../../src/tracks/index.js';
import { lineMid, resampled } from './outline-drive.js';

/** Receiver noise of the synthetic drives (the wandering part), metres. */
export const NOISE_SIGMA_M = 1;

/**
 * Laps must be within 300 ms of the noise-free drive's, or, on slow kart tracks, within four
 * standard deviations of what the noise alone moves a lap (two crossings, each off by the
 * position error over the speed).
 */
export const toleranceMs = (speedMps: number) => Math.max(300, (4 * Math.SQRT2 * NOISE_SIGMA_M * 1000) / speedMps);
/** Lap timers of the reference timing: the chooser accepts laps as short as a layout allows. */
export const TRUTH_TIMER = { minLapMs: 5_000 };

/** Same geometry: under 0.5% of A's outline (every 5 m) is more than 15 m from B's, and the lengths agree within 1%. */
export function sameGeometry(a: TrackDefinition, b: TrackDefinition): boolean {
  if (Math.abs(a.lengthM - b.lengthM) > 0.01 * a.lengthM) return false;
  const fit = new OutlineFit(b.outline!, lineMid(b));
  const pts = resampled(a, 5);
  let off = 0;
  for (const p of pts) if (fit.meanDistanceM([p]) > 15) off++;
  return off / pts.length < 0.005;
}

/** Times the fixes with a chooser; checks the layout and every lap against the noise-free drive. */
export function assertChosen(
  tracks: readonly TrackDefinition[],
  fixes: readonly TimingFix[],
  truthFixes: readonly TimingFix[],
  driven: TrackDefinition,
  speedMps: number,
  what: string,
) {
  const chooser = new TrackChooser(tracks);
  for (const f of fixes) chooser.push(f);
  const got = chooser.track;
  assert.ok(got, `${what}: a layout`);
  assert.ok(got.id === driven.id || sameGeometry(driven, got), `${what}: got ${got.id}`);
  const truth = timeLaps(truthFixes, got, TRUTH_TIMER).laps;
  assert.ok(truth.length >= 2, `${what}: the drive has laps`);
  assert.equal(chooser.laps.length, truth.length, `${what}: every lap`);
  const errors = chooser.laps.map((l, i) => Math.abs(l.timeMs - truth[i]!.timeMs));
  assert.ok(Math.max(...errors) <= toleranceMs(speedMps), `${what}: lap errors ${errors.map((e) => e.toFixed(0)).join(', ')} ms`);
  return { chooser, errors };
}

