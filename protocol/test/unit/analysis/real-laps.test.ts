import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareLaps, lapAtStations, stationGrid, trackAnalysis, type TrackAnalysis } from '../../../src/analysis/index.js';
import { timeLaps, type TimingFix } from '../../../src/timing/index.js';
import type { TrackDefinition } from '../../../src/tracks/index.js';
import { aimLaps, padLap } from '../../helpers/aim-laps.js';
import { catalog } from '../../helpers/catalog-file.js';
import { rmcFixes } from '../../helpers/rmc-fixes.js';
import { readTestData } from '../../helpers/test-data.js';

const everland = catalog().find((t) => t.id === 'amg-everland-speedway-everland')!;
const orlando = catalog().find((t) => t.id === 'orlando-kart-center-orlando-k-fl')!;
// Everland lap 1: AiM Solo, 10 Hz. Orlando "long lap": 25 Hz NMEA (GPL data, read as a test input only).
const everlandFixes = padLap(aimLaps(readTestData('laps', 'korellas_everland_aim_solo', 'everland_3laps_aim_solo.csv'))[0]!);
const orlandoFixes = rmcFixes(readTestData('laps', 'doveslaptimer_orlando_kart_center_nmea', 'gps_race_data_long_lap.nmea'));

/** Every n-th fix from `phase`: the same drive as a slower receiver would log it (the end fixes kept: Everland's are the line padding). */
const decimate = (fixes: readonly TimingFix[], n: number, phase = 0) => fixes.filter((_, i) => i % n === phase || i === 0 || i === fixes.length - 1);

/** The drive resampled every `periodMs` (positions and speeds linear between the fixes): a receiver on another clock. */
function resample(fixes: readonly TimingFix[], periodMs: number): TimingFix[] {
  const out: TimingFix[] = [];
  let j = 0;
  for (let t = Math.ceil(fixes[0]!.t / periodMs) * periodMs; t <= fixes.at(-1)!.t; t += periodMs) {
    while (fixes[j + 1]!.t < t) j++;
    const a = fixes[j]!;
    const b = fixes[j + 1]!;
    const f = (t - a.t) / (b.t - a.t);
    out.push({ t, lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f, speedMps: a.speedMps! + (b.speedMps! - a.speedMps!) * f });
  }
  return out;
}

function lapOf(track: TrackDefinition, fixes: TimingFix[]) {
  const { laps } = timeLaps(fixes, track);
  assert.ok(laps.length >= 1, 'timed');
  return { fixes, ...laps[0]!, sectorsMs: laps[0]!.sectorsMs };
}

/** The lap's speed minima (km/h at 5 m stations): lowest within +-30 m and 3 km/h under the fastest of the 150 m before. */
function speedMinima(analysis: TrackAnalysis, lap: ReturnType<typeof lapOf>): number[] {
  const grid = stationGrid(analysis.line.lengthM, 5);
  const v = lapAtStations(analysis.line, lap.fixes, lap, grid).speedMps.map((x) => x * 3.6);
  const out: number[] = [];
  for (let i = 6; i < v.length - 6; i++) {
    const around = v.slice(i - 6, i + 7);
    if (v[i]! > Math.min(...around) || v[i]! === v[i - 1]) continue;
    if (Math.max(...v.slice(Math.max(0, i - 30), i)) - v[i]! >= 3) out.push(grid[i]!);
  }
  return out;
}

for (const [name, track, fixes, rates] of [
  ['Everland, AiM Solo 10 Hz', everland, everlandFixes, [{ label: '5 Hz', make: (f: TimingFix[]) => decimate(f, 2, 1) }]],
  [
    'Orlando Kart Center, 25 Hz',
    orlando,
    orlandoFixes,
    [
      { label: '5 Hz', make: (f: TimingFix[]) => decimate(f, 5, 2) },
      { label: '10 Hz', make: (f: TimingFix[]) => resample(f, 100) },
    ],
  ],
] as const) {
  describe(name, () => {
    const analysis = trackAnalysis(track)!;
    const full = lapOf(track, [...fixes]);

    it('corners at the places the driver slowed: every speed minimum of the lap is in a corner, most big corners hold one', () => {
      const minima = speedMinima(analysis, full);
      assert.ok(minima.length >= 6, `minima ${minima}`);
      const margin = 25;
      const inCorner = (s: number) => analysis.corners.find((c) => s >= c.entryM - margin && s <= c.exitM + margin);
      for (const s of minima) assert.ok(inCorner(s), `a speed minimum at ${s} m outside every corner: ${JSON.stringify(analysis.corners.map((c) => [c.entryM, c.exitM]))}`);
      // A sweeper can be taken without lifting (Orlando's 136-degree right at 77 km/h): most, not all.
      const big = analysis.corners.filter((k) => k.turnDeg >= 90);
      const slowed = big.filter((c) => minima.some((s) => s >= c.entryM - margin && s <= c.exitM + margin));
      assert.ok(big.length >= 5 && slowed.length >= 0.8 * big.length, `${slowed.length} of ${big.length} corners over 90 degrees hold a speed minimum (${minima})`);
    });

    for (const rate of rates) {
      it(`the same lap logged at ${rate.label}: the delta stays near zero, corner speeds agree`, () => {
        const slow = lapOf(track, rate.make([...fixes]));
        const c = compareLaps(analysis, full, slow);
        const worst = Math.max(...c.deltaMs.map(Math.abs));
        const p95 = c.deltaMs.map(Math.abs).sort((x, y) => x - y)[Math.floor(c.deltaMs.length * 0.95)]!;
        // The lap time itself differs by the line crossing's interpolation at the lower rate.
        assert.ok(Math.abs(slow.timeMs - full.timeMs) < 30, `lap ${slow.timeMs} vs ${full.timeMs}`);
        // Near zero along the lap; single stations where the reference line bends sharply (a
        // hairpin's inside, an outline point a few metres off) see a short spike, never a drift.
        assert.ok(p95 < 10, `95th percentile |delta| ${p95.toFixed(1)} ms`);
        assert.ok(worst < 100, `worst |delta| ${worst.toFixed(1)} ms over the lap`);
        assert.ok(Math.abs(c.deltaMs.at(-1)! - (slow.timeMs - full.timeMs)) < 1e-6);
        for (const k of c.corners) {
          assert.ok(Math.abs(k.a.minMps - k.b.minMps) * 3.6 < 2.5, `corner ${k.corner.number}: minimum ${(k.a.minMps * 3.6).toFixed(1)} vs ${(k.b.minMps * 3.6).toFixed(1)} km/h`);
          assert.ok(Math.abs(k.deltaMs) < 40, `corner ${k.corner.number}: ${k.deltaMs.toFixed(1)} ms`);
        }
      });
    }
  });
}
