import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpoint, expiryFile, remainingMs, startExpiry, type SupportClock } from '../../../src/ops/support/support-expiry.js';
import { relayKeyLine, sshExpiryTime } from '../../../src/ops/support/support-key.js';
import { tempDir } from '../../helpers/paths.js';

/** A clock the test moves: monotonic and wall apart, and the boot id. */
function fakeClock(): SupportClock & { mono: number; wall: number; boot: string } {
  const c = { mono: 5_000, wall: Date.parse('2026-06-01T12:00:00Z'), boot: 'boot-a', monoMs: () => c.mono, wallMs: () => c.wall, bootId: () => c.boot };
  return c;
}
const MIN = 60_000;

test('within one boot the end sits on the monotonic clock: wall-clock steps change nothing', () => {
  const c = fakeClock();
  const s = startExpiry('owner', 60 * MIN, c);
  c.mono += 10 * MIN;
  c.wall -= 5 * 60 * MIN; // NTP steps the clock 5 h back
  assert.equal(remainingMs(s, c), 50 * MIN);
  c.wall += 10 * 60 * MIN; // and 10 h forward
  assert.equal(remainingMs(s, c), 50 * MIN);
  c.mono += 51 * MIN;
  assert.equal(remainingMs(s, c), 0);
});

test('after a reboot: the smaller of the last checkpoint and the wall-clock end; a clock stepped back cannot extend it', () => {
  const c = fakeClock();
  let s = startExpiry('switch', 60 * MIN, c);
  c.mono += 20 * MIN;
  c.wall += 20 * MIN;
  s = checkpoint(s, c);
  assert.equal(s.remainingMs, 40 * MIN);
  // Reboot: a new boot id, the monotonic clock starts again, the unit was off 5 minutes.
  c.boot = 'boot-b';
  c.mono = 1_000;
  c.wall += 5 * MIN;
  assert.equal(remainingMs(s, c), 35 * MIN, 'the wall clock is right: the time off counts');
  c.wall -= 24 * 60 * MIN; // no RTC: the clock came up a day behind
  assert.equal(remainingMs(s, c), 40 * MIN, 'never more than was left at the checkpoint');
  const resumed = checkpoint(s, c);
  assert.equal(resumed.bootId, 'boot-b');
  c.mono += 40 * MIN;
  assert.equal(remainingMs(resumed, c), 0, "re-anchored on this boot's monotonic clock");
  c.wall += 48 * 60 * MIN; // and then NTP jumps forward
  assert.equal(remainingMs(checkpoint(s, c), c), 0);
});

test('a clock stepped forward before a reboot only shortens support', () => {
  const c = fakeClock();
  const s = startExpiry('owner', 60 * MIN, c);
  c.boot = 'boot-b';
  c.wall += 2 * 60 * MIN;
  assert.equal(remainingMs(s, c), 0);
});

test('the state file: saved atomically 0600, read back, and a torn or foreign file counts as off', async () => {
  const d = await tempDir('support-expiry');
  try {
    const file = join(d.dir, 'support', 'state.json');
    const f = expiryFile(file);
    assert.equal(await f.load(), null);
    const s = startExpiry('owner', 10 * MIN, fakeClock());
    await f.save(s);
    assert.deepEqual(await f.load(), s);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    for (const bad of ['{"v":1,"by":"owner"', '{"v":2}', JSON.stringify({ ...s, remainingMs: -1 }), JSON.stringify({ ...s, extra: true }), 'null']) {
      writeFileSync(file, bad);
      assert.equal(await f.load(), null, bad);
    }
    await f.clear();
    assert.equal(await f.load(), null);
  } finally {
    await d.cleanup();
  }
});

test("the relay key line: one loopback listen port, no command, expiry rounded up to the minute in UTC", () => {
  assert.equal(sshExpiryTime(Date.parse('2026-06-01T12:00:00Z')), '202606011200Z');
  assert.equal(sshExpiryTime(Date.parse('2026-06-01T12:00:00.001Z')), '202606011201Z');
  assert.equal(
    relayKeyLine('ssh-ed25519 AAAAkey', 20001, Date.parse('2026-12-31T23:59:30Z')),
    'restrict,port-forwarding,permitlisten="127.0.0.1:20001",command="/bin/false",expiry-time="202701010000Z" ssh-ed25519 AAAAkey',
  );
});
