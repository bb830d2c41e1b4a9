/**
 * What every ImuFeed must do, whichever board provides it: run against the sim's feed and the
 * real driver on a fake bus (imu-feed.test.ts). Fixes arrive 100 ms apart in receiver time and
 * in wall time; the feed must hand over samples in time order, none past the fix that releases
 * them, at about its rate, reading +1 g on z at rest. The rate a feed states (what a session
 * header records) is the one its samples are spaced at, not the one it was asked for.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionImuSample } from '@pitwall/protocol';
import type { ImuFeed } from '../../../../src/hal/imu/imu-feed.js';

const G = 9.80665;

export async function imuFeedContract(feed: ImuFeed): Promise<void> {
  assert.equal(feed.info.chip, 'LSM6DSOX');
  const rateHz = feed.info.rateHz;
  await feed.init();
  const t0 = Date.UTC(2026, 0, 1, 12);
  const samples: SessionImuSample[] = [];
  const fixes = 16;
  const wall0 = performance.now();
  for (let i = 0; i < fixes; i++) {
    const t = t0 + i * 100;
    const before = samples.length;
    await feed.push({ t, lat: 28.4, lon: -81.4, speedMps: 0, courseDeg: 0 }, (s) => samples.push(s));
    await feed.idle();
    for (const s of samples.slice(before)) assert.ok(s.t <= t, `sample at ${s.t - t0} ms handed over with the fix at ${t - t0} ms`);
    // On a schedule, as a receiver's fixes come: a plain sleep(100) would add each round's work
    // and stretch wall time against receiver time.
    await sleep(Math.max(0, wall0 + (i + 1) * 100 - performance.now()));
  }
  assert.ok(samples.length > 0, 'samples arrive');
  for (let i = 1; i < samples.length; i++) assert.ok(samples[i]!.t > samples[i - 1]!.t, 'samples in time order');
  const span = (samples.at(-1)!.t - samples[0]!.t) / 1000;
  const rate = (samples.length - 1) / span;
  assert.ok(rate > rateHz * 0.5 && rate < rateHz * 1.1, `about ${rateHz} Hz: ${rate.toFixed(1)} Hz over ${span.toFixed(2)} s`);
  // Spacing in sample time, not wall time: 100 Hz (10 ms) and 104 Hz (9.6 ms) are told apart.
  const steps = samples.slice(1).map((s, i) => s.t - samples[i]!.t).sort((a, b) => a - b);
  const median = steps[steps.length >> 1]!;
  assert.ok(Math.abs(median - 1000 / rateHz) < 0.1, `samples ${median.toFixed(3)} ms apart: ${(1000 / median).toFixed(1)} Hz, the feed states ${rateHz} Hz`);
  for (const s of samples) {
    assert.ok(Math.abs(s.accelMps2[2] - G) < 0.05 && Math.abs(s.accelMps2[0]) < 0.05 && Math.abs(s.accelMps2[1]) < 0.05, `at rest: ${s.accelMps2.join(', ')}`);
    assert.ok(s.gyroDps.every((v) => Math.abs(v) < 0.1), `not turning: ${s.gyroDps.join(', ')}`);
  }
}
