import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxStats, fleetDistribution, histogram, type LapColumns } from '../../../src/analysis/index.js';
import { seededRandom } from '../../seeded-random.js';

/** The textbook way: sort, then interpolate between order statistics. */
function sortedQuantile(sorted: number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const k = Math.floor(pos);
  return k + 1 < sorted.length ? sorted[k]! + (pos - k) * (sorted[k + 1]! - sorted[k]!) : sorted[k]!;
}

test('box statistics by quickselect equal the sorted-array ones (fuzz: sizes, ties, NaN, sorted and reversed input)', () => {
  const rnd = seededRandom(7);
  for (let round = 0; round < 400; round++) {
    const n = 1 + Math.floor(rnd() * 300);
    const ties = rnd() < 0.3;
    let values = Array.from({ length: n }, () => (ties ? Math.floor(rnd() * 5) : 60_000 + rnd() * 10_000));
    if (round % 7 === 0) values.sort((a, b) => a - b);
    if (round % 11 === 0) values.reverse();
    if (round % 5 === 0) values = [...values, NaN, Infinity];
    const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
    const box = boxStats(values)!;
    assert.equal(box.n, finite.length);
    assert.equal(box.min, finite[0]);
    assert.equal(box.max, finite.at(-1));
    for (const [p, got] of [[0.25, box.q1], [0.5, box.median], [0.75, box.q3]] as const) assert.ok(Math.abs(got - sortedQuantile(finite, p)) < 1e-9, `round ${round} p ${p}`);
    const reach = 1.5 * (box.q3 - box.q1);
    assert.equal(box.lowWhisker, Math.min(box.q1, finite.find((v) => v >= box.q1 - reach)!));
    assert.equal(box.highWhisker, Math.max(box.q3, [...finite].reverse().find((v) => v <= box.q3 + reach)!));
    const h = histogram(values, box, 12);
    assert.equal(h.counts.reduce((a, b) => a + b, 0) + h.under + h.over, finite.length);
  }
  assert.equal(boxStats([]), null);
  assert.equal(boxStats([NaN]), null);
});

test('many values (the bucketed quartiles): equal to the sorted-array ones with spread, ties and far outliers', () => {
  const rnd = seededRandom(9);
  for (let round = 0; round < 30; round++) {
    const n = 4096 + Math.floor(rnd() * 30_000);
    const kind = round % 3;
    const values = Array.from({ length: n }, () => (kind === 0 ? 60_000 + rnd() * 9_000 : kind === 1 ? Math.floor(rnd() * 7) : rnd() < 0.99 ? 70_000 + rnd() * 100 : 300_000));
    const sorted = [...values].sort((a, b) => a - b);
    const box = boxStats(values)!;
    for (const [p, got] of [[0.25, box.q1], [0.5, box.median], [0.75, box.q3]] as const) assert.ok(Math.abs(got - sortedQuantile(sorted, p)) < 1e-9, `round ${round} p ${p}`);
  }
});

test('a slow in-lap goes past the histogram, not into it', () => {
  const laps = [...Array.from({ length: 40 }, (_, i) => 70_000 + i * 50), 190_000];
  const box = boxStats(laps)!;
  const h = histogram(laps, box, 10);
  assert.equal(h.over, 1);
  assert.ok(h.lo + 10 * h.width < 80_000);
});

/** Columns from a list of laps: [driver, unit, day, time, sectors, corner minimums]. */
function columns(laps: [string, string, number, number, number[], number[]][]): LapColumns {
  const drivers = [...new Set(laps.map((l) => l[0]))];
  const units = [...new Set(laps.map((l) => l[1]))];
  const S = Math.max(...laps.map((l) => l[4].length));
  const C = Math.max(...laps.map((l) => l[5].length));
  const c: LapColumns = {
    count: laps.length,
    driver: Int32Array.from(laps.map((l) => drivers.indexOf(l[0]))),
    drivers,
    unit: Int32Array.from(laps.map((l) => units.indexOf(l[1]))),
    units,
    startT: Float64Array.from(laps.map((l) => Date.UTC(2026, 3, l[2], 10))),
    timeMs: Float64Array.from(laps.map((l) => l[3])),
    sectorsMs: new Float64Array(laps.length * S).fill(NaN),
    sectorCount: S,
    cornerMinKmh: new Float32Array(laps.length * C).fill(NaN),
    cornerCount: C,
  };
  laps.forEach((l, i) => {
    l[4].forEach((v, s) => (c.sectorsMs[s * laps.length + i] = v));
    l[5].forEach((v, k) => (c.cornerMinKmh[k * laps.length + i] = v));
  });
  return c;
}

test('a group on one track: theoretical best from different drivers, members, progress by day, the marked driver', () => {
  const c = columns([
    ['Ana', 'Car 1', 1, 70_000, [30_000, 40_000], [60, 80]],
    ['Ana', 'Car 1', 1, 69_000, [29_500, 39_500], [61, 82]],
    ['Ana', 'Car 1', 8, 68_500, [29_000, 39_500], [62, 83]],
    ['Ben', 'Car 2', 1, 71_000, [28_800, 42_200], [58, 79]],
    ['Ben', 'Car 2', 8, 72_000, [], [57, 78]],
    ['Cy', 'Car 3', 8, 66_000, [27_000, 39_000], [65, 90]],
  ]);
  const d = fleetDistribution(c, { members: ['Ana', 'Ben'], mark: 'Ana' });
  assert.equal(d.laps, 5);
  assert.deepEqual(d.members.map((m) => [m.name, m.laps, m.bestMs, m.theoreticalBestMs]), [
    ['Ana', 3, 68_500, 68_500],
    ['Ben', 2, 71_000, 71_000],
  ]);
  // Ben's first sector and Ana's second: better than either driver's own best.
  assert.deepEqual(d.theoreticalBest, { ms: 28_800 + 39_500, sectors: [{ ms: 28_800, by: 'Ben' }, { ms: 39_500, by: 'Ana' }] });
  assert.equal(d.lapTimes.box!.median, 70_000);
  assert.equal(d.sectors[0]!.box!.n, 4, 'the lap without sectors is left out of them');
  assert.equal(d.corners[1]!.box!.min, 78);
  assert.equal(d.corners[1]!.marked!.median, 82);
  assert.deepEqual(d.markedLapsMs, [70_000, 69_000, 68_500]);
  assert.deepEqual(d.progress, [
    { name: 'Ana', days: [{ day: '2026-04-01', bestMs: 69_000, laps: 2 }, { day: '2026-04-08', bestMs: 68_500, laps: 1 }] },
    { name: 'Ben', days: [{ day: '2026-04-01', bestMs: 71_000, laps: 1 }, { day: '2026-04-08', bestMs: 72_000, laps: 1 }] },
  ]);
  const byUnit = fleetDistribution(c, { groupBy: 'unit' });
  assert.deepEqual(byUnit.members.map((m) => m.name), ['Car 1', 'Car 2', 'Car 3']);
  assert.equal(byUnit.theoreticalBest.ms, 27_000 + 39_000);
  assert.equal(fleetDistribution(c, { members: ['nobody'] }).lapTimes.box, null);
});
