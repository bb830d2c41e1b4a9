import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LapTimer, timeLaps } from '../../../src/timing/index.js';
import { LAP_M, RADIUS_M, STRAIGHT_M, drive, lineAt } from '../../helpers/synthetic-track.js';

const track = { startFinish: lineAt(0) };

describe('synthetic laps at 10 Hz with known crossing times', () => {
  for (const phaseMs of [0, 13.7, 37.25, 50, 71.9, 99.99]) {
    it(`phase ${phaseMs} ms: every crossing and lap within 1 ms`, () => {
      const speeds = [38, 41.5, 36.2, 44];
      const { fixes, crossings } = drive(speeds, { phaseMs });
      const { laps } = timeLaps(fixes, track);
      assert.equal(laps.length, speeds.length);
      laps.forEach((lap, i) => {
        assert.ok(Math.abs(lap.startT - crossings[i]!) <= 1, `start ${i}: ${lap.startT - crossings[i]!}`);
        assert.ok(Math.abs(lap.endT - crossings[i + 1]!) <= 1, `end ${i}: ${lap.endT - crossings[i + 1]!}`);
        assert.ok(Math.abs(lap.timeMs - (crossings[i + 1]! - crossings[i]!)) <= 1);
      });
    });
  }

  it('also at 25 Hz and 1 Hz, with a crossing exactly on a fix', () => {
    for (const periodMs of [40, 1000]) {
      const { fixes, crossings } = drive([40, 40], { periodMs, leadM: 40 * (periodMs / 1000) * 3 });
      const { laps } = timeLaps(fixes, track);
      assert.equal(laps.length, 2, `${periodMs} ms`);
      assert.ok(Math.abs(laps[0]!.startT - crossings[0]!) <= 1);
    }
  });

  it('counts only crossings in the direction of travel', () => {
    const { fixes } = drive([40, 40], { reverse: true });
    const { laps, events } = timeLaps(fixes, track);
    assert.equal(laps.length, 0);
    assert.equal(events.length, 0);
    const flipped = { startFinish: { a: track.startFinish.b, b: track.startFinish.a } };
    assert.equal(timeLaps(fixes, flipped).laps.length, 2);
  });

  it('ignores a reverse crossing and a quick re-crossing of the line (minimum lap time)', () => {
    const base = drive([40, 40]);
    const i = base.fixes.findIndex((f) => f.t > base.crossings[0]!);
    // Roll back over the line and forward across it again, half a second later.
    const before = base.fixes[i - 2]!;
    const wobble = [
      { ...base.fixes[i]!, t: base.fixes[i]!.t },
      { ...before, t: base.fixes[i]!.t + 300 },
      { ...base.fixes[i]!, t: base.fixes[i]!.t + 600 },
    ];
    const shift = 600;
    const fixes = [...base.fixes.slice(0, i), ...wobble, ...base.fixes.slice(i + 1).map((f) => ({ ...f, t: f.t + shift }))];
    const { laps, events } = timeLaps(fixes, track);
    assert.equal(events.filter((e) => e.type === 'lap-start').length, 3);
    assert.equal(laps.length, 2);
    assert.ok(Math.abs(laps[0]!.startT - base.crossings[0]!) <= 1);
  });

  it('a lap shorter than the minimum is not a lap', () => {
    const { fixes } = drive([40, 40, 40, 40]);
    const lapMs = (LAP_M / 40) * 1000;
    const { laps } = timeLaps(fixes, track, { minLapMs: lapMs * 1.5 });
    assert.equal(laps.length, 2);
    assert.ok(Math.abs(laps[0]!.timeMs - 2 * lapMs) <= 1);
  });

  it('splits sectors at their lines, each within 1 ms', () => {
    const s1 = STRAIGHT_M / 2 + Math.PI * RADIUS_M + 100; // on the back straight
    const s2 = STRAIGHT_M * 1.5 + Math.PI * RADIUS_M * 1.5; // apex of the second bend
    const speeds = [40, 35];
    const { fixes, timeAt } = drive(speeds, { phaseMs: 42 });
    const { laps, events } = timeLaps(fixes, { startFinish: lineAt(0), sectors: [lineAt(s1), lineAt(s2)] });
    assert.equal(events.filter((e) => e.type === 'sector').length, 4);
    laps.forEach((lap, i) => {
      const base = i * LAP_M;
      const bounds = [0, s1, s2, LAP_M].map((d) => timeAt(base + d));
      const expected = [1, 2, 3].map((k) => bounds[k]! - bounds[k - 1]!);
      assert.equal(lap.sectorsMs.length, 3);
      lap.sectorsMs.forEach((ms, k) => assert.ok(Math.abs(ms - expected[k]!) <= 1, `lap ${i} sector ${k}: ${ms - expected[k]!}`));
    });
  });

  it('drops fixes whose time does not advance', () => {
    const { fixes } = drive([40, 40]);
    const withDupes = fixes.flatMap((f, i) => (i % 10 === 0 ? [f, { ...f, lat: f.lat + 1e-4 }] : [f]));
    const r = timeLaps(withDupes, track);
    assert.equal(r.laps.length, 2);
    assert.ok(r.skippedFixes > 0);
  });
});

describe('live state and delta to best by distance', () => {
  it('reports elapsed, distance, delta and predicted lap against the best lap at the same distance', () => {
    const [fast, slow] = [40, 36];
    const { fixes, crossings, timeAt, distanceAt } = drive([fast, slow], { phaseMs: 21 });
    const timer = new LapTimer(track);
    let checked = 0;
    for (const fix of fixes) {
      timer.push(fix);
      const live = timer.live;
      if (live.lap !== 2 || live.elapsedMs === null) continue;
      const d = distanceAt(fix.t) - LAP_M;
      if (d > 100 && d < LAP_M - 100) {
        const expectedDelta = timeAt(LAP_M + d) - crossings[1]! - (timeAt(d) - crossings[0]!);
        assert.ok(Math.abs(live.deltaMs! - expectedDelta) < 15, `at ${d.toFixed(0)} m: ${live.deltaMs} vs ${expectedDelta}`);
        assert.ok(Math.abs(live.predictedLapMs! - (crossings[1]! - crossings[0]!) - expectedDelta) < 15);
        assert.ok(Math.abs(live.distanceM - d) < 3);
        checked++;
      }
    }
    assert.ok(checked > 200);
    assert.equal(timer.laps.length, 2);
    assert.equal(timer.live.bestLapMs, timer.laps[0]!.timeMs);
    assert.ok(timer.referenceTrace().length > 100);
  });

  it('takes a reference lap from elsewhere', () => {
    const { fixes } = drive([40, 40]);
    const first = new LapTimer(track);
    for (const f of fixes) first.push(f);
    const second = new LapTimer(track);
    second.setReference(first.laps[0]!.timeMs + 1000, first.referenceTrace().map((p) => ({ ...p, elapsedMs: p.elapsedMs + 1000 })));
    const events = fixes.flatMap((f) => second.push(f));
    assert.ok(events.some((e) => e.type === 'lap' && e.best));
  });
});
