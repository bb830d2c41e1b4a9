import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImuRateMeter, meteredImuFeed, SimImuFeed, type TrajectoryPoint } from '../../../src/index.js';

test('the IMU rate is measured from the samples: full rate, dropped samples, a source gone quiet', () => {
  let wall = 0;
  const meter = new ImuRateMeter(() => wall);
  assert.equal(meter.rateHz(), null, 'no samples yet');
  for (let t = 0; t <= 3000; t += 10) meter.add(t);
  assert.equal(meter.rateHz(), 100);
  // Every other read missed: half the samples over the same time.
  for (let t = 3020; t <= 9000; t += 20) meter.add(t);
  assert.equal(meter.rateHz(), 50);
  wall = 6000;
  assert.equal(meter.rateHz(), null, 'nothing for 6 s of wall time: unknown, not the last rate');
  // A jump back in chip time (replay wrap) starts again rather than counting a negative span.
  meter.add(100);
  meter.add(105);
  assert.equal(meter.rateHz(), 200);
});

test('a metered feed counts what the simulated IMU delivers at its configured rate', async () => {
  const meter = new ImuRateMeter();
  const feed = meteredImuFeed(new SimImuFeed(50), meter);
  await feed.init();
  const samples: number[] = [];
  const at = (i: number): TrajectoryPoint => ({ t: i * 100, lat: 37.29 + i * 1e-5, lon: 127.2, speedMps: 10, courseDeg: 0 });
  for (let i = 0; i <= 40; i++) await feed.push(at(i), (s) => samples.push(s.t));
  await feed.idle();
  assert.equal(samples.length, 201, '4 s at 50 Hz, both ends included');
  assert.equal(meter.rateHz(), 50);
  assert.equal(feed.info.rateHz, 50);
});
