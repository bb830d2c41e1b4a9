import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deltaByDistance, distancesAlong } from '../../../src/timing/lap-delta.js';
import { haversineM } from '../../../src/timing/geo.js';
import { seededRandom } from '../../seeded-random.js';

const lapOf = (metres: number, msPerMetre: (d: number) => number, step = 5) => {
  const distanceM: number[] = [];
  const elapsedMs: number[] = [];
  let t = 0;
  for (let d = 0; d <= metres; d += step) {
    distanceM.push(d);
    elapsedMs.push(t);
    t += step * msPerMetre(d);
  }
  return { distanceM, elapsedMs };
};

test('a lap against itself: zero everywhere', () => {
  const lap = lapOf(2000, () => 30);
  assert.deepEqual(deltaByDistance(lap, lap), lap.distanceM.map(() => 0));
});

test('slower through one corner: the delta grows there, then holds', () => {
  const ref = lapOf(2000, () => 30);
  const lap = lapOf(2000, (d) => (d >= 800 && d < 1000 ? 40 : 30));
  const delta = deltaByDistance(lap, ref);
  const at = (m: number) => delta[lap.distanceM.indexOf(m)]!;
  assert.equal(at(500), 0);
  assert.equal(at(900), 100 * 10);
  assert.equal(at(1000), 200 * 10);
  assert.equal(at(2000), 200 * 10, 'lost in the corner, kept to the line');
});

test('laps of different length compare at the same fraction of the lap', () => {
  const ref = lapOf(2000, () => 30);
  const wide = lapOf(2020, () => 30 * (2000 / 2020)); // a wider line, the same time at every fraction
  const delta = deltaByDistance(wide, ref);
  for (const d of delta) assert.ok(Math.abs(d) < 1e-6, `delta ${d}`);
});

test('fuzz: the delta at the last point is the difference of the lap times; references with repeated distances are fine', () => {
  const rnd = seededRandom(11);
  for (let k = 0; k < 200; k++) {
    const ref = lapOf(1000 + Math.floor(rnd() * 3000), () => 20 + rnd() * 30, 1 + Math.floor(rnd() * 10));
    const lap = lapOf(1000 + Math.floor(rnd() * 3000), () => 20 + rnd() * 30, 1 + Math.floor(rnd() * 10));
    const delta = deltaByDistance(lap, ref);
    assert.equal(delta.length, lap.distanceM.length);
    assert.ok(delta.every(Number.isFinite));
    assert.ok(Math.abs(delta.at(-1)! - (lap.elapsedMs.at(-1)! - ref.elapsedMs.at(-1)!)) < 1e-6);
  }
  assert.deepEqual(deltaByDistance({ distanceM: [0, 10], elapsedMs: [0, 500] }, { distanceM: [], elapsedMs: [] }), [0, 0]);
});

test('distance along positions adds the great-circle segments', () => {
  const pts = [
    { lat: 52.07, lon: -1.01 },
    { lat: 52.071, lon: -1.01 },
    { lat: 52.071, lon: -1.012 },
  ];
  const d = distancesAlong(pts);
  assert.equal(d[0], 0);
  assert.equal(d[2], haversineM(pts[0]!, pts[1]!) + haversineM(pts[1]!, pts[2]!));
});
