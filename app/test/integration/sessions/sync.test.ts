import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_SESSION_BYTES } from '@pitwall/protocol';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { DATABASE_FILE, openDatabase, integrityCheck } from '../../../src/store/database.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { syncSessions } from '../../../src/sessions/session-sync.js';
import { fakeSource, startCuttingProxy, startFakeSessionUnit } from '../../helpers/fake-session-unit.js';
import { makeSession, SYNTH_TRACK, type MadeSession } from '../../helpers/session-files.js';
import { scratchDir } from '../../helpers/units.js';

const scratch = scratchDir('sessions-sync');
let a: MadeSession;
let b: MadeSession;

before(async () => {
  a = await makeSession(scratch.dir, { unitId: 'unit-a', sessionId: 's-a1', durationS: 400, seed: 3 });
  b = await makeSession(scratch.dir, { unitId: 'unit-b', sessionId: 's-b1', durationS: 300, seed: 4, driver: 'Kim' });
});
after(() => scratch.cleanup());

function newStore(tag: string) {
  const db = openDatabase(join(scratch.dir, tag));
  return { db, store: new SessionStore(db, () => [SYNTH_TRACK]) };
}

const count = (db: ReturnType<typeof openDatabase>, table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

test('link cut ten times during a sync: the session arrives intact, once, confirmed after commit', async () => {
  const unit = await startFakeSessionUnit('unit-a', [a]);
  const proxy = await startCuttingProxy(unit.port, { cuts: 10, cutAfter: Math.floor(a.sizeB / 14) });
  const { db, store } = newStore('cut');
  try {
    const report = await syncSessions([fakeSource('unit-a', 'Car 7', proxy.port)], { store, partialDir: join(scratch.dir, 'cut', 'partial'), retryDelayMs: 5 });
    assert.equal(proxy.cutsDone(), 10);
    assert.equal(report.fetched, 1);
    assert.ok(report.resumes >= 10, `resumes ${report.resumes}`);
    const [s] = store.list();
    assert.equal(s!.sha256, a.sha256);
    assert.equal(s!.sizeB, a.sizeB);
    assert.equal(count(db, 'session_fixes'), 400 * 25 + 1);
    assert.equal(count(db, 'session_imu'), 400 * 100);
    assert.deepEqual([s!.fixes, s!.imuSamples], [400 * 25 + 1, 400 * 100], 'counts of the whole-file path after resumes');
    const laps = store.laps(s!.id);
    assert.equal(laps.length, a.unitLapsMs.length);
    laps.forEach((l, i) => assert.ok(Math.abs(l.timeMs - a.unitLapsMs[i]!) <= 1, `lap ${i + 1}`));
    assert.deepEqual(integrityCheck(db), ['ok']);
    assert.ok(unit.confirmed.has('s-a1'));
    assert.deepEqual(readdirSync(join(scratch.dir, 'cut', 'partial')), [], 'no partial file left');
  } finally {
    await proxy.close();
    await unit.close();
    db.close();
  }
});

test('the same session synced twice is one copy, and is not downloaded again', async () => {
  const unit = await startFakeSessionUnit('unit-a', [a]);
  const { db, store } = newStore('twice');
  try {
    const src = fakeSource('unit-a', 'Car 7', unit.port);
    await syncSessions([src], { store, partialDir: join(scratch.dir, 'twice', 'p') });
    const second = await syncSessions([src], { store, partialDir: join(scratch.dir, 'twice', 'p') });
    assert.equal(second.fetched, 0);
    assert.equal(unit.gets, 1);
    assert.equal(count(db, 'sessions'), 1);
    assert.equal(count(db, 'session_fixes'), 400 * 25 + 1);
    assert.deepEqual([store.list()[0]!.fixes, store.list()[0]!.imuSamples], [400 * 25 + 1, 400 * 100], 'counts of the streamed ingest');
    // And ingesting the same bytes directly again changes nothing.
    const { decodeSession } = await import('@pitwall/protocol');
    const { readFileSync } = await import('node:fs');
    const again = store.ingest(decodeSession(readFileSync(a.path)), { sha256: a.sha256, unitName: 'Car 7', sizeB: a.sizeB });
    assert.equal(again.stored, false);
    assert.equal(count(db, 'session_imu'), 400 * 100);
    assert.deepEqual(integrityCheck(db), ['ok']);
  } finally {
    await unit.close();
    db.close();
  }
});

test('a store in memory is written inline (no ingest thread), with the same rows and laps', async () => {
  const unit = await startFakeSessionUnit('unit-b', [b]);
  const db = openDatabase(null);
  const store = new SessionStore(db, () => [SYNTH_TRACK]);
  try {
    const report = await syncSessions([fakeSource('unit-b', 'Car 9', unit.port)], { store, partialDir: join(scratch.dir, 'memory', 'p') });
    assert.equal(report.fetched, 1, JSON.stringify(report));
    const [s] = store.list();
    assert.deepEqual([s!.fixes, s!.imuSamples, count(db, 'session_fixes'), count(db, 'session_imu')], [300 * 25 + 1, 300 * 100, 300 * 25 + 1, 300 * 100]);
    const laps = store.laps(s!.id);
    assert.equal(laps.length, b.unitLapsMs.length);
    laps.forEach((l, i) => assert.ok(Math.abs(l.timeMs - b.unitLapsMs[i]!) <= 1, `lap ${i + 1}: ${l.timeMs} vs ${b.unitLapsMs[i]}`));
    assert.ok(unit.confirmed.has('s-b1'));
  } finally {
    await unit.close();
    db.close();
  }
});

test('a store the writer thread cannot write (another program holds the write lock): the session fails, unconfirmed, with no rows; the next sync stores it', async () => {
  const unit = await startFakeSessionUnit('unit-b', [b]);
  const { db, store } = newStore('locked');
  const other = new Database(join(scratch.dir, 'locked', DATABASE_FILE));
  try {
    other.exec('BEGIN IMMEDIATE');
    const first = await syncSessions([fakeSource('unit-b', 'Car 9', unit.port)], { store, partialDir: join(scratch.dir, 'locked', 'p') });
    assert.deepEqual([first.fetched, first.units[0]!.failed], [0, 1], JSON.stringify(first));
    assert.match(first.units[0]!.error ?? '', /locked|busy/i);
    assert.equal(unit.confirmed.size, 0, 'not confirmed');
    other.exec('COMMIT');
    assert.deepEqual([count(db, 'sessions'), count(db, 'session_imu')], [0, 0]);
    const second = await syncSessions([fakeSource('unit-b', 'Car 9', unit.port)], { store, partialDir: join(scratch.dir, 'locked', 'p') });
    assert.equal(second.fetched, 1, JSON.stringify(second));
    assert.deepEqual([count(db, 'sessions'), count(db, 'session_imu')], [1, 300 * 100]);
    assert.ok(unit.confirmed.has('s-b1'));
  } finally {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await unit.close();
    db.close();
  }
});

test('a corrupted chunk is detected by its CRC and fetched again; a flipped byte in transit kills the TLS record and is resumed', async () => {
  const unit = await startFakeSessionUnit('unit-a', [a], { corruptFirstGetAt: Math.floor(a.sizeB / 2) });
  const proxy = await startCuttingProxy(unit.port, { cuts: 0, cutAfter: Infinity, flipAt: Math.floor(a.sizeB / 3) });
  const { db, store } = newStore('corrupt');
  try {
    const report = await syncSessions([fakeSource('unit-a', 'Car 7', proxy.port)], { store, partialDir: join(scratch.dir, 'corrupt', 'p'), retryDelayMs: 5 });
    assert.equal(report.fetched, 1, JSON.stringify(report));
    assert.ok(proxy.flipped());
    assert.ok(report.refetches + report.resumes >= 1);
    assert.equal(store.list()[0]!.sha256, a.sha256);
    assert.deepEqual(integrityCheck(db), ['ok']);
  } finally {
    await proxy.close();
    await unit.close();
    db.close();
  }
});

test('two units at once: progress per unit and overall; laps recomputed from raw fixes match the unit', async () => {
  const ua = await startFakeSessionUnit('unit-a', [a]);
  const ub = await startFakeSessionUnit('unit-b', [b]);
  const { db, store } = newStore('two');
  const seen: { done: boolean; units: number; bytesDone: number; bytesTotal: number }[] = [];
  try {
    const report = await syncSessions([fakeSource('unit-a', 'Car 7', ua.port), fakeSource('unit-b', 'Car 9', ub.port)], {
      store,
      partialDir: join(scratch.dir, 'two', 'p'),
      onProgress: (p) => seen.push({ done: p.done, units: p.units.length, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal }),
    });
    assert.equal(report.fetched, 2);
    const last = seen.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.units, 2);
    assert.equal(last.bytesDone, a.sizeB + b.sizeB);
    for (const [made, unitId] of [
      [a, 'unit-a'],
      [b, 'unit-b'],
    ] as const) {
      const s = store.list().find((x) => x.unitId === unitId)!;
      const laps = store.laps(s.id);
      assert.ok(laps.length >= 3, `${unitId}: ${laps.length} laps`);
      assert.equal(laps.length, made.unitLapsMs.length);
      laps.forEach((l, i) => assert.ok(Math.abs(l.timeMs - made.unitLapsMs[i]!) <= 1, `lap ${i + 1}: ${l.timeMs} vs ${made.unitLapsMs[i]}`));
      assert.ok(laps.every((l) => l.sectorsMs.length === 2), 'two sectors per lap');
      const unitLaps = store.unitLaps(s.id);
      assert.equal(unitLaps.length, laps.length);
    }
    assert.equal(store.list().find((x) => x.unitId === 'unit-b')!.driver, 'Kim');
    assert.equal(createHash('sha256').update('x').digest('hex').length, 64);
  } finally {
    await ua.close();
    await ub.close();
    db.close();
  }
});

test('decoding while downloading gives the same session as decoding the whole file; a flipped byte spoils it', async () => {
  const { StreamDecoder } = await import('../../../src/sessions/stream-decoder.js');
  const { imuRows } = await import('../../../src/sessions/sample-rows.js');
  const { decodeSession } = await import('@pitwall/protocol');
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(a.path);
  const whole = decodeSession(bytes);
  const stream = new StreamDecoder();
  const fixes: typeof whole.fixes = [];
  const imu: number[] = [];
  const take = () => {
    const d = stream.drain();
    fixes.push(...d.fixes);
    imu.push(...d.imu);
  };
  for (let i = 0, step = 1; i < bytes.length; i += step, step = (step * 7 + 13) % 9000) {
    stream.push(bytes.subarray(i, i + step));
    if (stream.pending() > 3000) take();
  }
  assert.throws(() => stream.result(bytes.length), /drain/, 'samples not drained yet');
  take();
  const got = stream.result(bytes.length);
  assert.ok(got, 'stream decoded');
  assert.deepEqual([got.fixes, got.imu, got.chunks], [whole.fixes.length, whole.imu.length, whole.stats.chunks]);
  assert.deepEqual(fixes, whole.fixes);
  assert.deepEqual(imu, [...imuRows(whole.imu)], 'IMU rows equal the samples of the whole decode');
  assert.deepEqual(got.events, whole.events);
  assert.deepEqual(got.summary, whole.summary);
  assert.deepEqual([got.firstFixT, got.lastFixT, got.lastImuT], [whole.fixes[0]!.t, whole.fixes.at(-1)!.t, whole.imu.at(-1)!.t]);
  const bad = Buffer.from(bytes);
  const mid = Math.floor(bad.length / 2);
  bad[mid] = bad[mid]! ^ 0xff;
  const spoiled = new StreamDecoder();
  spoiled.push(bad);
  assert.equal(spoiled.result(bad.length), null);
});

test('a session listed larger than a session can be, or larger than the disk has room for, is not downloaded and not confirmed', async () => {
  const huge = await startFakeSessionUnit('unit-a', [{ ...a, sizeB: MAX_SESSION_BYTES * 5 }]);
  const unit = await startFakeSessionUnit('unit-b', [b]);
  const { db, store } = newStore('room');
  const partialDir = join(scratch.dir, 'room', 'partial');
  const GiB = 1024 ** 3;
  try {
    const r1 = await syncSessions([fakeSource('unit-a', 'Car 7', huge.port)], { store, partialDir });
    assert.equal(r1.fetched, 0);
    assert.match(r1.units[0]!.error ?? '', /the unit lists session s-a1 at 5,120 MB, more than a session can be \(1,024 MB\): not downloaded/);
    assert.equal(huge.gets, 0, 'nothing fetched');
    // One byte short of the reserve: refused before the first byte; with room, downloaded.
    const r2 = await syncSessions([fakeSource('unit-b', 'Car 9', unit.port)], { store, partialDir, disk: { minFreeBytes: GiB, freeBytes: async () => GiB + b.sizeB - 1 } });
    assert.equal(r2.fetched, 0);
    assert.match(r2.units[0]!.error ?? '', /the companion's disk is too full for session s-b1 \(\d+ MB; 1,024 MB free, 1,024 MB kept free\)/);
    assert.equal(unit.gets, 0);
    assert.equal(unit.confirmed.size, 0, 'nothing confirmed');
    const r3 = await syncSessions([fakeSource('unit-b', 'Car 9', unit.port)], { store, partialDir, disk: { minFreeBytes: GiB, freeBytes: async () => GiB + b.sizeB } });
    assert.equal(r3.fetched, 1);
    assert.ok(unit.confirmed.has('s-b1'));
    assert.equal(count(db, 'sessions'), 1);
  } finally {
    await huge.close();
    await unit.close();
    db.close();
  }
});
