import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLOCK_TAMPER_TOLERANCE_MS, TrustedClock } from '../../../src/license/trusted-clock.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2027-03-01T12:00:00Z');
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A clock whose system time and monotonic time the test moves. */
function fakeSources(system = T0) {
  const s = { system, mono: 1000 };
  return {
    s,
    sources: { systemMs: () => s.system, monoMs: () => s.mono },
    /** Time passes: both clocks advance alike. */
    pass(ms: number) {
      s.system += ms;
      s.mono += ms;
    },
  };
}

async function clockFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-clock-'));
  dirs.push(dir);
  return join(dir, 'trusted-time.json');
}

test('without GNSS, the system clock counts while it moves forward', async () => {
  const f = fakeSources();
  const clock = await TrustedClock.open(await clockFile(), f.sources);
  assert.equal(clock.read().nowMs, T0);
  f.pass(60_000);
  const r = clock.read();
  assert.equal(r.nowMs, T0 + 60_000);
  assert.equal(r.source, 'system');
  assert.equal(r.tampered, false);
});

test('clock set back before any GNSS fix: tampering, and time only moves forward from the latest seen', async () => {
  const f = fakeSources();
  const clock = await TrustedClock.open(await clockFile(), f.sources);
  clock.read();
  f.pass(10 * 60_000);
  f.s.system -= 30 * DAY; // someone sets the clock back a month
  const r = clock.read();
  assert.equal(r.tampered, true);
  assert.equal(r.source, 'latest-seen');
  assert.equal(r.nowMs, T0 + 10 * 60_000, 'the latest time seen, advanced by the monotonic clock');
  assert.match(r.tamperReason ?? '', /behind the latest time seen/);
  assert.equal(r.tamperedAt, new Date(T0 + 10 * 60_000).toISOString());
  f.pass(60_000);
  assert.equal(clock.read().nowMs, T0 + 11 * 60_000, 'still moving forward with the monotonic clock');
});

test('clock set back after a GNSS fix: GNSS time counts, and the set-back is tampering', async () => {
  const f = fakeSources();
  const clock = await TrustedClock.open(await clockFile(), f.sources);
  clock.observeGnss(T0 + 2000); // the receiver is 2 s ahead of the system clock
  f.pass(5000);
  assert.equal(clock.read().source, 'gnss');
  assert.equal(clock.read().nowMs, T0 + 7000);
  f.s.system -= 365 * DAY;
  f.pass(1000);
  const r = clock.read();
  assert.equal(r.source, 'gnss');
  assert.equal(r.nowMs, T0 + 8000);
  assert.equal(r.tampered, true);
  assert.match(r.tamperReason ?? '', /behind the GNSS time/);
});

test('a clock drift inside the tolerance is not tampering, and never moves time back', async () => {
  const f = fakeSources();
  const clock = await TrustedClock.open(await clockFile(), f.sources);
  clock.read();
  f.s.system -= CLOCK_TAMPER_TOLERANCE_MS - 1000;
  const r = clock.read();
  assert.equal(r.tampered, false);
  assert.equal(r.nowMs, T0, 'the latest time seen, not the drifted clock');
});

test('the clock jumped forward past a date then back: the latest time seen stays forward, across a reboot', async () => {
  const file = await clockFile();
  const f = fakeSources();
  const clock = await TrustedClock.open(file, f.sources);
  f.s.system += 400 * DAY;
  assert.equal(clock.read().nowMs, T0 + 400 * DAY);
  await clock.save();
  f.s.system -= 400 * DAY;
  assert.equal(clock.read().nowMs, T0 + 400 * DAY);
  await clock.save();
  // Reboot: the monotonic clock restarts, the system clock is still set back.
  const g = fakeSources(T0);
  g.s.mono = 5;
  const again = await TrustedClock.open(file, g.sources);
  const r = again.read();
  assert.equal(r.nowMs, T0 + 400 * DAY);
  assert.equal(r.tampered, true);
  assert.equal(r.source, 'latest-seen');
});

test('the saved record never moves back, and keeps when tampering was found', async () => {
  const file = await clockFile();
  const f = fakeSources();
  const clock = await TrustedClock.open(file, f.sources);
  f.pass(DAY);
  clock.read();
  await clock.save();
  const saved = JSON.parse(await readFile(file, 'utf8')) as { latestMs: number; tamperedAtMs: number | null };
  assert.equal(saved.latestMs, T0 + DAY);
  f.s.system -= 10 * DAY;
  clock.read();
  await clock.save();
  const after = JSON.parse(await readFile(file, 'utf8')) as { latestMs: number; tamperedAtMs: number | null };
  assert.ok(after.latestMs >= saved.latestMs);
  assert.equal(after.tamperedAtMs, T0 + DAY);
  const reopened = await TrustedClock.open(file, fakeSources(T0 + 2 * DAY).sources);
  assert.equal(reopened.tamperedAt(), new Date(T0 + DAY).toISOString());
});

test('a signed lower bound (a licence issued later than the clock says) moves the latest time seen forward', async () => {
  const f = fakeSources();
  const clock = await TrustedClock.open(await clockFile(), f.sources);
  clock.observeSigned(T0 + DAY);
  const r = clock.read();
  assert.equal(r.nowMs, T0 + DAY);
  assert.equal(r.tampered, true, 'the system clock is a day behind a vendor-signed time');
  clock.observeSigned(T0); // an older bound changes nothing
  assert.equal(clock.read().nowMs, T0 + DAY);
});

test('a damaged record counts as tampering, not as a fresh start', async () => {
  const file = await clockFile();
  await writeFile(file, '{"latestMs": "soon"');
  const r = (await TrustedClock.open(file, fakeSources().sources)).read();
  assert.equal(r.tampered, true);
  assert.match(r.tamperReason ?? '', /damaged/);
});
