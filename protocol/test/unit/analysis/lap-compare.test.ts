import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareLaps, trackAnalysis } from '../../../src/analysis/index.js';
import { timeLaps } from '../../../src/timing/index.js';
import { LAP_M, RADIUS_M, STRAIGHT_M } from '../../helpers/synthetic-track.js';
import { stadiumLap, stadiumTrack, timeAtStation, type StadiumDriver } from '../../helpers/stadium-laps.js';

const track = stadiumTrack();
const analysis = trackAnalysis(track)!;

/** The one lap the timer finds in a driver's fixes, with its fixes. */
function timed(d: StadiumDriver, t0: number) {
  const fixes = stadiumLap(d, t0);
  const session = timeLaps(fixes, track);
  assert.equal(session.laps.length, 1);
  return { fixes, ...session.laps[0]!, sectorsMs: [] as number[] };
}

// A: 25 Hz on the centre line, 30 m/s everywhere. B: 5 Hz, 2.5 m wide of it, 30 m/s on the
// straights and 20 m/s through the half circles, its samples on another phase.
const A: StadiumDriver = { offsetM: 0, straightMps: 30, arcMps: 30, periodMs: 40, phaseMs: 13 };
const B: StadiumDriver = { offsetM: 2.5, straightMps: 30, arcMps: 20, periodMs: 200, phaseMs: 77 };

test('the reference line is the track: its length, station 0 on the line', () => {
  assert.ok(Math.abs(analysis.line.lengthM - LAP_M) < 0.5, `length ${analysis.line.lengthM} vs ${LAP_M}`);
  const p0 = analysis.line.at(0);
  assert.ok(Math.hypot(p0.x, p0.y) < 0.05, 'station 0 is the start/finish line');
});

test('a hand-computed pair: the delta at every station is the closed-form one, whatever the rates and lines', () => {
  const a = timed(A, 1_700_000_000_000);
  const b = timed(B, 1_700_000_500_000);
  // The lap times themselves: 1102.65 / 30 s and 600 / 30 + 2 pi 82.5 / 20 s.
  assert.ok(Math.abs(a.timeMs - timeAtStation(A, LAP_M) * 1000) < 0.5, `A ${a.timeMs}`);
  assert.ok(Math.abs(b.timeMs - (STRAIGHT_M * 2 / 30 + (2 * Math.PI * (RADIUS_M + 2.5)) / 20) * 1000) < 0.5, `B ${b.timeMs}`);
  const c = compareLaps(analysis, a, b);
  assert.equal(c.deltaMs.at(-1), b.timeMs - a.timeMs, 'the delta ends at the difference of the lap times');
  assert.equal(c.deltaMs[0], 0);
  // Where B's speed jumps (straight to half circle) its time is linear between two fixes 6 m
  // apart across a kink: the error there is at most the jump in s/m times a quarter of that,
  // (82.5 / 80 / 20 - 1 / 30) * 6 / 4 = 27 ms. Everywhere else it is the projection's alone.
  const kinks = [STRAIGHT_M / 2, STRAIGHT_M / 2 + Math.PI * RADIUS_M, 1.5 * STRAIGHT_M + Math.PI * RADIUS_M, 1.5 * STRAIGHT_M + 2 * Math.PI * RADIUS_M];
  const worst = { near: 0, far: 0 };
  for (let i = 0; i < c.stationsM.length; i++) {
    const s = (c.stationsM[i]! * LAP_M) / c.lengthM;
    const error = Math.abs(c.deltaMs[i]! - (timeAtStation(B, s) - timeAtStation(A, s)) * 1000);
    const near = kinks.some((k) => Math.abs(s - k) < 8);
    if (near) worst.near = Math.max(worst.near, error);
    else worst.far = Math.max(worst.far, error);
  }
  assert.ok(worst.far < 2, `error against the closed form away from the speed jumps: ${worst.far.toFixed(3)} ms`);
  assert.ok(worst.near < 27, `error at the speed jumps: ${worst.near.toFixed(3)} ms`);
  // Half-way (the far straight's middle): B lost one half circle's worth.
  const mid = c.stationsM.findIndex((s) => s >= c.lengthM / 2);
  assert.ok(Math.abs(c.deltaMs[mid]! - (Math.PI * (RADIUS_M + 2.5) / 20 - Math.PI * RADIUS_M / 30) * 1000) < 15);
});

test('the stadium has two left-hand corners where the half circles are, and each lap\'s corner speeds', () => {
  const corners = analysis.corners;
  assert.equal(corners.length, 2, JSON.stringify(corners));
  const arcStarts = [STRAIGHT_M / 2, STRAIGHT_M / 2 + Math.PI * RADIUS_M + STRAIGHT_M];
  corners.forEach((c, i) => {
    assert.equal(c.direction, 'left');
    assert.ok(Math.abs(c.turnDeg - 180) < 20, `turn ${c.turnDeg}`);
    assert.ok(Math.abs(c.radiusM - RADIUS_M) < 8, `radius ${c.radiusM}`);
    assert.ok(Math.abs(c.entryM - arcStarts[i]!) < 15, `entry ${c.entryM} vs ${arcStarts[i]}`);
    assert.ok(Math.abs(c.exitM - (arcStarts[i]! + Math.PI * RADIUS_M)) < 15, `exit ${c.exitM}`);
  });
  const c = compareLaps(analysis, timed(A, 0), timed(B, 0));
  for (const k of c.corners) {
    assert.ok(Math.abs(k.a.minMps - 30) < 1e-9);
    assert.ok(Math.abs(k.b.minMps - 20) < 1e-9, `B's minimum ${k.b.minMps}`);
    const s0 = (k.corner.entryM * LAP_M) / c.lengthM;
    const s1 = (k.corner.exitM * LAP_M) / c.lengthM;
    const lost = (timeAtStation(B, s1) - timeAtStation(A, s1) - (timeAtStation(B, s0) - timeAtStation(A, s0))) * 1000;
    assert.ok(Math.abs(k.deltaMs - lost) < 25, `corner ${k.corner.number}: ${k.deltaMs} vs ${lost}`);
  }
});

test('sectors: the splits of both laps side by side, b minus a', () => {
  const c = compareLaps(analysis, { ...timed(A, 0), sectorsMs: [10_000, 20_000] }, { ...timed(B, 0), sectorsMs: [12_500] });
  assert.deepEqual(c.sectors, [
    { sector: 1, aMs: 10_000, bMs: 12_500, deltaMs: 2_500 },
    { sector: 2, aMs: 20_000, bMs: null, deltaMs: null },
  ]);
});
