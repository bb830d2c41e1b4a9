import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { LiveLap, LiveTiming } from '@pitwall/protocol';
import { currentSplits, MAX_LAPS, useTiming } from '../../../src/store/timing-store.js';
import { useChartCursor } from '../../../src/store/chart-cursor-store.js';

const initial = useTiming.getState();
beforeEach(() => useTiming.setState(initial, true));
const timing = (lap: number, sector: number, elapsedMs: number | null, sectorElapsedMs: number | null) => ({ lap, sector, elapsedMs, sectorElapsedMs }) as unknown as LiveTiming;

test('sector starts come from lap and sector elapsed times, so splits are exact between sparse events', () => {
  const t = useTiming.getState();
  t.pushTiming('u', timing(3, 0, 5_000, 5_000), 1);
  t.pushTiming('u', timing(3, 1, 31_000, 400), 2);
  t.pushTiming('u', timing(3, 2, 58_250, 1_250), 3);
  const u = useTiming.getState().units.u!;
  assert.deepEqual(u.sectorStarts, [0, 30_600, 57_000]);
  assert.deepEqual(currentSplits(u.sectorStarts), [30_600, 26_400]);
  assert.equal(u.timingAt, 3);
});

test('a new lap starts its splits afresh; an event without times keeps what is known', () => {
  const t = useTiming.getState();
  t.pushTiming('u', timing(3, 1, 31_000, 400));
  t.pushTiming('u', timing(4, 0, 100, 100));
  assert.deepEqual(useTiming.getState().units.u!.sectorStarts, [0]);
  t.pushTiming('u', timing(4, 1, null, null));
  assert.deepEqual(useTiming.getState().units.u!.sectorStarts, [0]);
  assert.deepEqual(currentSplits([0, undefined as unknown as number, 9]), [null, null]);
});

test('laps: a lap sent again replaces itself, other sessions\' lap numbers stay apart, at most MAX_LAPS kept', () => {
  const lap = (n: number, sessionId = 's1', timeMs = 60_000) => ({ lap: n, sessionId, timeMs }) as unknown as LiveLap;
  const t = useTiming.getState();
  t.pushLap('u', lap(1));
  t.pushLap('u', lap(1, 's2'));
  t.pushLap('u', lap(1, 's1', 59_000));
  assert.deepEqual(useTiming.getState().units.u!.laps.map((l) => [l.sessionId, l.timeMs]), [['s2', 60_000], ['s1', 59_000]]);
  for (let n = 2; n < MAX_LAPS + 10; n++) t.pushLap('u', lap(n));
  assert.equal(useTiming.getState().units.u!.laps.length, MAX_LAPS);
  assert.equal(useTiming.getState().units.u!.laps.at(-1)!.lap, MAX_LAPS + 9);
});

test('the chart cursor is one distance shared by the charts and the map, cleared with null', () => {
  useChartCursor.getState().setDistance(412.5);
  assert.equal(useChartCursor.getState().distanceM, 412.5);
  useChartCursor.getState().setDistance(null);
  assert.equal(useChartCursor.getState().distanceM, null);
});
