import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLapTime } from '../../../src/timing/lap-time-text.js';

test('lap times read as m:ss.mmm, or s.mmm under a minute', () => {
  assert.equal(formatLapTime(62_345), '1:02.345');
  assert.equal(formatLapTime(58_100), '58.100');
  assert.equal(formatLapTime(600_000), '10:00.000');
  assert.equal(formatLapTime(0), '0.000');
  assert.equal(formatLapTime(5), '0.005');
});

test('rounding to the millisecond carries into seconds and minutes (never "1:60.000")', () => {
  assert.equal(formatLapTime(119_999.6), '2:00.000');
  assert.equal(formatLapTime(59_999.7), '1:00.000');
  assert.equal(formatLapTime(61_000.4), '1:01.000');
});

test('no time reads as the placeholder asked for', () => {
  for (const v of [null, undefined, Number.NaN, Infinity, -1]) assert.equal(formatLapTime(v), '–');
  assert.equal(formatLapTime(null, '-'), '-');
});
