import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiverClock } from '../../../src/hal/imu/receiver-clock.js';
import { prng } from '../../helpers/prng.js';

const PERIOD = 1000 / 104;
/** Receiver time = host time + OFFSET; fixes reach the host 5..205 ms after their time. */
const OFFSET = 1_700_000_000_000;

test('fixes that arrive with jittering delays do not jitter the IMU stamps: steps stay within 5% of the ODR period and converge on the truth', () => {
  const rand = prng(14);
  const clock = new ReceiverClock();
  let nextFix = 0;
  const stamps: { host: number; t: number }[] = [];
  for (let host = 0; host < 20_000; host += PERIOD) {
    while (nextFix + 5 + rand() * 200 <= host) {
      clock.fix(nextFix + OFFSET, host);
      nextFix += 100;
    }
    const t = clock.stamp(host);
    if (t !== null) stamps.push({ host, t });
  }
  for (let i = 1; i < stamps.length; i++) {
    const d = stamps[i]!.t - stamps[i - 1]!.t;
    assert.ok(d >= PERIOD * 0.95 - 1e-3 && d <= PERIOD * 1.05 + 1e-3, `step ${i}: ${d} ms`);
  }
  const late = stamps.filter((s) => s.host > 10_000).map((s) => s.t - (s.host + OFFSET));
  assert.ok(Math.max(...late.map(Math.abs)) < 30, `stamps within 30 ms of the receiver's time after 10 s: ${Math.max(...late)}`);
});

test('a receiver time that jumps is followed at once, and stamps never go back', () => {
  const clock = new ReceiverClock();
  assert.equal(clock.stamp(0), null, 'no fix yet: no receiver time');
  clock.fix(OFFSET, 0);
  const a = clock.stamp(10)!;
  clock.fix(OFFSET + 60_000, 20); // the receiver's time jumped a minute ahead
  const b = clock.stamp(30)!;
  assert.ok(Math.abs(b - (OFFSET + 60_010)) < 1e-3, `followed: ${b - OFFSET}`);
  clock.fix(OFFSET - 60_000, 40); // and back
  const c = clock.stamp(50)!;
  assert.ok(c > b && a < b, 'in order');
});
